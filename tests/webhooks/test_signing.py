"""The signature a receiver checks: HMAC-SHA256 of "timestamp.body" with the secret."""

import hashlib
import hmac
import time

from atrium.webhooks.signing import generate_secret, sign, verify_signature

SECRET = "whsec_test-secret"
BODY = b'{"id":"1","event":"ping","data":{"name":"\xe9\xa9\xac\xe9\xaa\x8f"}}'


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1700000000, BODY) == f"sha256={expected}"


def test_a_fresh_signature_verifies():
    now = int(time.time())
    assert verify_signature(SECRET, str(now), BODY, sign(SECRET, now, BODY))
    # str and bytes bodies are the same thing
    assert verify_signature(SECRET, now, BODY.decode(), sign(SECRET, now, BODY))


def test_tampered_body_is_rejected():
    now = int(time.time())
    header = sign(SECRET, now, BODY)
    assert not verify_signature(SECRET, now, BODY.replace(b"ping", b"pong"), header)


def test_wrong_secret_is_rejected():
    now = int(time.time())
    assert not verify_signature("whsec_other", now, BODY, sign(SECRET, now, BODY))


def test_old_and_future_timestamps_are_rejected_even_with_a_valid_hmac():
    now = time.time()
    old = int(now) - 301
    assert not verify_signature(SECRET, old, BODY, sign(SECRET, old, BODY), now=now)
    assert verify_signature(SECRET, old, BODY, sign(SECRET, old, BODY), tolerance=600, now=now)
    future = int(now) + 400
    assert not verify_signature(SECRET, future, BODY, sign(SECRET, future, BODY), now=now)


def test_a_changed_timestamp_breaks_the_signature():
    now = int(time.time())
    assert not verify_signature(SECRET, now - 1, BODY, sign(SECRET, now, BODY))


def test_malformed_or_missing_headers_are_rejected():
    now = int(time.time())
    good = sign(SECRET, now, BODY)
    assert not verify_signature(SECRET, now, BODY, None)
    assert not verify_signature(SECRET, None, BODY, good)
    assert not verify_signature(SECRET, "yesterday", BODY, good)
    assert not verify_signature(SECRET, now, BODY, good.removeprefix("sha256="))
    assert not verify_signature(SECRET, now, BODY, "sha1=" + good.removeprefix("sha256="))
    assert not verify_signature("", now, BODY, good)
    # a list of signatures passes if one of them matches
    assert verify_signature(SECRET, now, BODY, f"sha256=deadbeef, {good}")


def test_secrets_are_random_and_long():
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert first.startswith("whsec_") and len(first) >= 40
