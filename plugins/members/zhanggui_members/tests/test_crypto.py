"""Phone numbers are encrypted at rest and found through a keyed hash."""
import pytest

from zhanggui_members.profile.crypto import FieldDecryptionError, cipher_for_secret, field_secret


def test_a_phone_encrypts_and_decrypts_and_never_encrypts_the_same_way_twice():
    cipher = cipher_for_secret("k1", "members.phone")
    one, two = cipher.encrypt("13800138000"), cipher.encrypt("13800138000")
    assert one != two
    assert "13800138000" not in one and one.startswith("v1.")
    assert cipher.decrypt(one) == cipher.decrypt(two) == "13800138000"


def test_a_tampered_or_foreign_ciphertext_is_refused():
    cipher = cipher_for_secret("k1", "members.phone")
    token = cipher.encrypt("13800138000")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(FieldDecryptionError):
        cipher.decrypt(flipped)
    with pytest.raises(FieldDecryptionError):
        cipher_for_secret("another key", "members.phone").decrypt(token)
    with pytest.raises(FieldDecryptionError):   # same key, other purpose
        cipher_for_secret("k1", "members.email").decrypt(token)


def test_the_lookup_hash_is_stable_but_depends_on_the_key():
    a = cipher_for_secret("k1", "members.phone")
    assert a.lookup_hash("13800138000") == a.lookup_hash("13800138000")
    assert a.lookup_hash("13800138000") != a.lookup_hash("13800138001")
    assert a.lookup_hash("13800138000") != cipher_for_secret("k2", "members.phone") \
        .lookup_hash("13800138000")
    import hashlib

    assert a.lookup_hash("13800138000") != hashlib.sha256(b"13800138000").hexdigest()


def test_field_key_is_preferred_over_the_secret_key():
    assert field_secret({"FIELD_KEY": "field", "SECRET_KEY": "secret"}) == "field"
    assert field_secret({"FIELD_KEY": None, "SECRET_KEY": "secret"}) == "secret"


def test_the_plaintext_phone_never_reaches_the_database(members_app, sqlite_files):
    from zhanggui_members.tests.helpers import all_member_rows
    from zhanggui_members.profile.services import member_phone, register_member

    member = register_member(name="林晓雯", phone="+86 139 1234 5678", card_no="6000123456789")
    stored = type(member).get_by_id(member.id)
    assert stored.phone_last4 == "5678"
    assert member_phone(stored) == "+8613912345678"
    rows = all_member_rows()
    assert "林晓雯" in rows                  # the dump does show what is stored
    assert "13912345678" not in rows and "139 1234" not in rows
    if sqlite_files is not None:
        raw = sqlite_files()
        assert "林晓雯".encode() in raw      # the file scan does see plaintext
        assert b"13912345678" not in raw
        assert "13912345678".encode("utf-16-le") not in raw
