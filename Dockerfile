# dagrute in a container, installed with the same steps as the README.
#   docker build -t dagrute .
#   docker run --rm -v "$PWD/out:/app/out" dagrute            # solves the bundled sample week
#   docker run --rm dagrute solve PLAN.json --out out/r.json  # any other command
FROM python:3.11-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml uv.lock README.md Makefile ./
COPY solver ./solver
COPY app ./app
COPY data ./data
RUN make setup
ENV DAGRUTE_CACHE_DIR=/app/.cache
ENTRYPOINT ["python3", "-m", "uv", "run", "--no-sync", "dagrute"]
CMD ["solve", "data/samples/oslo-east-week.json", "--out", "out/result.json", "--geojson", "out/routes.geojson"]
