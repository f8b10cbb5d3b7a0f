"""`python -m staff`: serve the console on STAFF_HOST:STAFF_PORT (default 127.0.0.1:5006)."""
import uvicorn

from staff.app import create_app
from staff.config import Config


def main() -> None:
    config = Config.from_env()
    print(f"员工控制台: http://{config.host}:{config.port}/", flush=True)
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning", proxy_headers=False)


if __name__ == "__main__":
    main()
