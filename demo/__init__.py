"""Demo and scale data, benchmarks and bulk loaders: development tooling, not product.

The top of the layering: `demo` may import every app, nothing in the product imports `demo`.
It stays installed everywhere (the docker compose flow runs `seed_demo`)."""
