"""What `seed_demo` builds, one module a step: `org` (the demo company) or `org_synthetic`
(a synthetic organisation at scale) makes the people and the DemoContext (`context`) that
each later step's `seed(ctx)` builds on, in the order of the command's `STEPS`."""
