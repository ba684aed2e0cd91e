"""The API's pure guards: a webhook's signature check refuses anything but the signed body at a
fresh timestamp, and never raises on hostile headers; a key's rate is a token bucket."""

from __future__ import annotations

from hypothesis import given, strategies as st

from mfgsync.api.auth import RateLimiter
from mfgsync.api.webhooks import WINDOW_SECONDS, hub_signature
from mfgsync.connectors.webhook import sign

SECRET, NOW = "s3cret", 1_800_000_000.0


def _headers(body: bytes, at: float, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(at))
    return {"x-mfgsync-timestamp": timestamp, "x-mfgsync-signature": sign(secret, timestamp, body)}


@given(body=st.binary(max_size=2000), skew=st.integers(-WINDOW_SECONDS, WINDOW_SECONDS))
def test_a_body_signed_within_the_window_is_genuine(body, skew):
    assert hub_signature(SECRET, _headers(body, NOW + skew), body, NOW) is None


@given(body=st.binary(max_size=500), other=st.binary(max_size=500))
def test_any_other_body_under_that_signature_is_refused(body, other):
    if other != body:
        assert hub_signature(SECRET, _headers(body, NOW), other, NOW) is not None


@given(skew=st.integers(WINDOW_SECONDS + 1, 10**9), sign_=st.sampled_from([1, -1]))
def test_a_stale_or_future_timestamp_is_refused_even_when_signed(skew, sign_):
    assert "window" in hub_signature(SECRET, _headers(b"{}", NOW + sign_ * skew), b"{}", NOW)


@given(timestamp=st.text(max_size=40), signature=st.text(max_size=120))
def test_hostile_headers_are_refused_never_raised(timestamp, signature):
    headers = {"x-mfgsync-timestamp": timestamp, "x-mfgsync-signature": signature}
    assert hub_signature(SECRET, headers, b"{}", NOW) is not None


def test_a_signature_made_with_another_secret_is_refused():
    assert hub_signature(SECRET, _headers(b"{}", NOW, secret="guessed"), b"{}", NOW) == \
        "the signature does not match the body"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_may_burst_then_waits_for_its_rate_and_keys_do_not_share_a_bucket():
    clock = Clock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.wait_for("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.wait_for("a") == 0.5  # one token comes back every half second
    assert limiter.wait_for("b") == 0
    clock.now = 0.5
    assert limiter.wait_for("a") == 0
    clock.now = 100
    assert [limiter.wait_for("a") for _ in range(4)][-1] > 0, "an idle key's bucket holds at most its burst"
