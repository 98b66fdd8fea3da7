"""Demo data for tracking. (The lead merges this with the check-ins demo.)"""

from org.demo import DemoContext
from tracking.resources import demo as resources_demo


def seed(ctx: DemoContext) -> None:
    resources_demo.seed(ctx)
