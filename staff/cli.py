"""`make staff-user NAME=... [ROLE=viewer|editor]`: create an account or reset its password and role.
The password is asked twice on the terminal (getpass), never taken from the command line."""
import argparse
import getpass
import sys
from typing import Optional, Sequence

from staff import auth
from staff.config import Config
from staff.db import StaffDB


def main(argv: Optional[Sequence[str]] = None, read_password=getpass.getpass) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name")
    parser.add_argument("--role", default="editor", choices=auth.ROLES)
    args = parser.parse_args(argv)
    try:
        password = read_password(f"{args.name} 的新密码(至少 8 位):")
        again = read_password("再输入一次:")
    except (EOFError, KeyboardInterrupt):
        print("\n没有输入密码,账号没有改动。", file=sys.stderr)
        return 1
    if password != again:
        print("两次输入的密码不一样,账号没有改动。", file=sys.stderr)
        return 1
    config = Config.from_env()
    try:
        done = auth.set_user(StaffDB(config.staff_db_url), args.name, password, args.role)
    except ValueError as e:
        print(f"没有改动:{e}", file=sys.stderr)
        return 1
    word = "已创建" if done == "created" else "已重设密码"
    print(f"{word}:{args.name}({auth.ROLE_LABELS[args.role]})。登录:http://{config.host}:{config.port}/login")
    return 0


if __name__ == "__main__":
    sys.exit(main())
