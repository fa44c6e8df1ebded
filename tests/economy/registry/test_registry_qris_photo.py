"""A photo of a QRIS sticker (any phone camera, through the file input) fills the registration form."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from registry_helpers import Person, make_qris

from smartkotim.economy.registry.qris_photo import QrisPhotoError, read_qr_text


def qr_photo(text: str, *, fmt: str = "PNG", rotate: int = 0, margin: int = 40) -> bytes:
    """A photo-like image of a QR code holding ``text``: made with zxing-cpp, on a grey background, JPEG or
    PNG, optionally turned."""
    import numpy as np
    import zxingcpp

    code = zxingcpp.write_barcode_to_image(
        zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode), scale=6
    )
    image = Image.fromarray(np.array(code)).convert("L")
    canvas = Image.new("L", (image.width + 2 * margin, image.height + 2 * margin), 200)
    canvas.paste(image, (margin, margin))
    canvas = canvas.rotate(rotate, expand=True, fillcolor=200)
    out = io.BytesIO()
    canvas.convert("RGB").save(out, format=fmt, quality=85)
    return out.getvalue()


PAYLOAD = (
    "00020101021126570011ID.DANA.WWW011893600915302259148102090225914810303UMI51440014ID.CO.QRI"
    "S.WWW0215ID10200210138930303UMI5204594553033605802ID5912Toko Sayur A6007SAMPIT610574311620"
    "70703A016304"
)


@pytest.mark.parametrize(("fmt", "rotate"), [("PNG", 0), ("JPEG", 0), ("JPEG", 90), ("PNG", 7)])
def test_the_code_in_a_photo_is_read_exactly(fmt: str, rotate: int) -> None:
    assert read_qr_text(qr_photo(PAYLOAD, fmt=fmt, rotate=rotate)) == PAYLOAD


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "foto kosong"),
        (b"bukan gambar sama sekali", "bukan foto yang dapat dibaca"),
        (b"x" * (15 * 1024 * 1024 + 1), "melebihi batas 15 MiB"),
    ],
)
def test_what_is_not_a_readable_photo_says_why(data: bytes, message: str) -> None:
    with pytest.raises(QrisPhotoError) as refused:
        read_qr_text(data)
    assert message in str(refused.value)


def test_a_photo_without_a_code_and_one_with_two_codes_say_why() -> None:
    blank = io.BytesIO()
    Image.new("RGB", (400, 300), (180, 180, 180)).save(blank, format="JPEG")
    with pytest.raises(QrisPhotoError, match="tidak ada kode QR"):
        read_qr_text(blank.getvalue())
    left, right = (Image.open(io.BytesIO(qr_photo(t))) for t in ("KODE-SATU", "KODE-DUA"))
    both = Image.new("RGB", (left.width + right.width, max(left.height, right.height)), (200, 200, 200))
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    out = io.BytesIO()
    both.save(out, format="PNG")
    with pytest.raises(QrisPhotoError, match="lebih dari satu"):
        read_qr_text(out.getvalue())


def test_a_photo_posted_to_the_scan_page_fills_the_form_or_says_why(
    client: TestClient, people: dict[str, Person]
) -> None:
    headers = people["surveyor"].headers
    page = client.get("/ekonomi/pedagang/qris", headers=headers).text
    assert (
        'name="photo"' in page and 'capture="environment"' in page and 'enctype="multipart/form-data"' in page
    )
    payload = make_qris("ID2000000000002", "WARUNG FOTO SARI", postal="74311")
    filled = client.post(
        "/ekonomi/pedagang/qris",
        files={"photo": ("IMG_0001.jpg", qr_photo(payload, fmt="JPEG", rotate=90), "image/jpeg")},
        data={"payload": ""},
        headers=headers,
    )
    assert filled.status_code == 200, filled.text
    assert 'value="ID2000000000002"' in filled.text and 'value="WARUNG FOTO SARI"' in filled.text

    wrong = payload[:-4] + ("0000" if not payload.endswith("0000") else "1111")
    bad_crc = client.post(
        "/ekonomi/pedagang/qris", files={"photo": ("a.png", qr_photo(wrong), "image/png")}, headers=headers
    )
    assert bad_crc.status_code == 422 and "CRC tidak cocok" in bad_crc.text
    not_image = client.post(
        "/ekonomi/pedagang/qris", files={"photo": ("a.jpg", b"teks biasa", "image/jpeg")}, headers=headers
    )
    assert not_image.status_code == 422
    assert "bukan foto yang dapat dibaca" in not_image.text and 'id="qris-photo-error"' in not_image.text


def test_an_image_claiming_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    import struct
    import zlib

    small = io.BytesIO()
    Image.new("L", (8, 8), 255).save(small, format="PNG")
    data = bytearray(small.getvalue())
    # the IHDR chunk (right after the 8-byte signature): length, type, width, height, …, CRC
    ihdr = bytes(data[12:29])
    patched = ihdr[:4] + struct.pack(">II", 13000, 13000) + ihdr[12:]
    data[12:29] = patched
    data[29:33] = struct.pack(">I", zlib.crc32(patched))
    with pytest.raises(QrisPhotoError, match="melebihi batas 64 megapiksel"):
        read_qr_text(bytes(data))
    data[16:24] = struct.pack(">II", 9000, 9000)  # 81 megapixels: below Pillow's own limits, above ours
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    with pytest.raises(QrisPhotoError, match=r"melebihi batas 64 megapiksel \(9000 × 9000 piksel\)"):
        read_qr_text(bytes(data))
