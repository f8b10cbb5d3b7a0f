"""`python -m staff`: serve the console on STAFF_HOST:STAFF_PORT (default 127.0.0.1:5006)."""
import uvicorn

from staff.app import create_app
from staff.config import Config


def main() -> None:
    config = Config.from_env()
    print(f"员工控制台: http://{config.host}:{config.port}/", flush=True)
    # ws="none": uvicorn's websocket support needs a newer `websockets` than Rasa 3.6 pins (10.4); the console's
    # live parts poll over HTTP.
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning", proxy_headers=False,
                ws="none")


if __name__ == "__main__":
    main()
