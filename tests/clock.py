"""A monotonic clock a test moves by hand: ``clock.now += 0.3``."""


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now
