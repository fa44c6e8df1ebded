"""The QRIS code in a photo of the sticker: any phone camera can take one through the page's file input
(``capture="environment"``), also where the browser has no ``BarcodeDetector`` (Safari on iPhone,
Firefox, most desktop browsers). The image is decoded with Pillow and the QR code read with zxing-cpp;
the text found is then checked like a pasted payload (``qris.read_qris_payload``: CRC, NMID …).
"""

from __future__ import annotations

import io
import warnings

MAX_PHOTO_BYTES = 15 * 1024 * 1024
"""Largest photo accepted (a 50-megapixel phone JPEG is ≈ 10–12 MB)."""
MAX_PIXELS = 64_000_000
"""Largest image accepted, checked from its header before decoding (a 50-megapixel phone photo passes;
a small file claiming 13,000 × 13,000 pixels, which would take gigabytes to decode, does not)."""
MAX_SIDE_PX = 2400
"""Photos are scaled down to this long side before reading (a sticker filling the frame stays sharp)."""


class QrisPhotoError(ValueError):
    """A photo without a readable QR code, or not an image; the message says what to do (Indonesian)."""


def read_qr_text(data: bytes) -> str:
    """The text of the one QR code in the image ``data`` (JPEG, PNG, WebP …; EXIF rotation applied).

    Raises:
        QrisPhotoError: empty or too large (``MAX_PHOTO_BYTES``, ``MAX_PIXELS``), not an image, no QR code
            found, or
            several different QR codes in the photo.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise QrisPhotoError("foto kosong: ambil foto stiker QRIS lalu kirim lagi")
    if len(data) > MAX_PHOTO_BYTES:
        raise QrisPhotoError(f"foto {len(data):,} bita melebihi batas {MAX_PHOTO_BYTES // (1024 * 1024)} MiB")
    too_big = f"foto melebihi batas {MAX_PIXELS // 1_000_000} megapiksel"
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels; MAX_PIXELS, checked below, is lower
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))  # reads the header only
        with opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise QrisPhotoError(f"{too_big} ({opened.width} × {opened.height} piksel)")
            image = ImageOps.exif_transpose(opened).convert("L")
    except QrisPhotoError:
        raise
    except Image.DecompressionBombError as exc:  # above twice Pillow's limit: refused while opening
        raise QrisPhotoError(too_big) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise QrisPhotoError("berkas ini bukan foto yang dapat dibaca (JPEG, PNG atau WebP)") from exc
    image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    texts = _read_codes(image)
    if not texts:
        raise QrisPhotoError(
            "tidak ada kode QR yang terbaca di foto; foto stiker lebih dekat, tegak dan terang, "
            "atau tempel isi kodenya"
        )
    if len(texts) > 1:
        raise QrisPhotoError("ada lebih dari satu kode QR di foto; foto satu stiker saja")
    return texts[0]


def _read_codes(image: object) -> list[str]:
    """Distinct texts of the valid QR codes zxing-cpp finds in ``image`` (a Pillow image)."""
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    texts: list[str] = []
    for code in found:
        if code.valid and code.text and code.text not in texts:
            texts.append(code.text)
    return texts
