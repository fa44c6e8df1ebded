"""A profile that cannot be used is refused with Indonesian messages naming each key and what it needs."""

from __future__ import annotations

import pytest

from smartkotim.economy.ingest.profiles import ProfileError, parse_profile
from smartkotim.lib.validation_messages import pydantic_message


def refusal(text: str) -> str:
    with pytest.raises(ProfileError) as refused:
        parse_profile(text, source="bank-x.toml")
    return str(refused.value)


def test_each_bad_key_is_named_with_its_rule_in_indonesian() -> None:
    message = refusal(
        'name = "ok"\nfoo = 1\n[columns]\ntxn_id = "a"\n[status]\nsuccess = ["s"]\n'
        '[timestamp]\ntimezone = "Mars/Base"\n[file]\ndelimiter = ";;"\n'
    )
    assert message == (
        "bank-x.toml: file.delimiter: delimiter harus 'auto' atau satu karakter; "
        "columns.timestamp: wajib diisi; columns.nmid: wajib diisi; columns.amount: wajib diisi; "
        "columns.status: wajib diisi; "
        "timestamp.timezone: zona waktu 'Mars/Base' tidak dikenal (contoh: Asia/Jakarta); "
        "foo: kunci tidak dikenal"
    )


def test_a_bad_name_names_the_pattern_and_model_rules_are_indonesian() -> None:
    columns = '[columns]\ntxn_id="a"\ntimestamp="b"\nnmid="c"\namount="d"\nstatus="e"\n'
    assert refusal('name = "Bank X"\n' + columns + '[status]\nsuccess=["s"]\n') == (
        "bank-x.toml: name: hanya huruf kecil a–z, angka, '-' dan '_', diawali huruf atau angka, "
        "paling panjang 40"
    )
    assert refusal('name = "x"\n[columns\n') == (
        "bank-x.toml: sintaks TOML salah di baris 2, kolom 9 (Expected ']' at the end of a table declaration)"
    )
    assert refusal('name = "x"\n' + columns + '[status]\nsukses=["s"]\n') == (
        "bank-x.toml: profil: [status] 'sukses' bukan salah satu dari success, failed, reversed"
    )


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing", "msg": "Field required"}, "wajib diisi"),
        ({"type": "less_than_equal", "msg": "…", "ctx": {"le": 2147483647}}, "terlalu besar (le 2147483647)"),
        ({"type": "value_error", "msg": "Value error, zona waktu salah"}, "zona waktu salah"),
        ({"type": "some_new_type", "msg": "Something else"}, "Something else"),
    ],
)
def test_pydantic_messages(error: dict[str, object], message: str) -> None:
    assert pydantic_message(error) == message
