"""The test helper for second factors: codes the device accepts, one after another."""

import time

import pytest

from tests.otp import clock_travels_end, code_for, device_for


@pytest.fixture
def device(make_user, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda seconds: pytest.fail(f"slept {seconds}s"))
    return device_for(make_user("hr"))


def test_codes_one_after_another_are_each_accepted_while_the_device_learns_its_drift(device):
    codes = []
    for _ in range(4):  # each code moves the device's drift one step on (OTP_TOTP_SYNC)
        code = code_for(device)
        assert device.verify_token(code), len(codes)
        codes.append(code)

    assert len(set(codes)) == 4


def test_past_the_tolerance_window_the_clock_moves_to_the_next_step_instead_of_waiting(device):
    device.tolerance = 0  # only the current step's code counts
    device.save()
    started = time.time()

    for number in range(3):
        assert device.verify_token(code_for(device)), number

    assert time.time() - started >= device.step  # moved on twice (to a step start, then one on)
    clock_travels_end()
    assert time.time() - started < device.step
