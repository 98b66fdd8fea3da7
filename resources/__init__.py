"""Resource requests and budgets: what a goal gap needs, approved against real budgets."""
