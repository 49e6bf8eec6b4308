"""Reading a KTP photo on this server: RapidOCR with the PP-OCR models its wheel ships, run by
onnxruntime on the CPU. Nothing leaves the machine: the models are given by path (RapidOCR's
download code is never reached) and the image is read from our own file store.

The engine costs a few seconds to import and a few hundred MB once loaded, so it is loaded on
the first KTP photo, not at start-up, and every reading runs in a worker thread, never on the
event loop. One reading at a time per process (two cores are shared with everything else); a
photo that would wait longer than `wait_seconds` is not read, and the citizen types the fields.
When the library or its models are missing the reader switches itself off with one log line.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dialogs.ktp import KtpReading, wants_ktp
from dialogs.ktp_text import TextBox, parse_ktp
from dialogs.messages import Inbound
from storage.files import FileStore

log = logging.getLogger(__name__)

MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}
MAX_SIDE = 1600  # a chat app's photo; larger images are scaled down before reading
DETECT_SIDE = 960  # the detector sees the photo at most this large (text stays > 12 px)
ORIENTATION_SAMPLES = 9


class ImageRejected(Exception):
    """Not an image the reader takes (not decodable, or too many pixels)."""


def decode_photo(data: bytes, max_pixels: int) -> Any:
    """The photo upright (EXIF orientation applied), RGB, at most MAX_SIDE wide, as a numpy
    array; the pixel count is checked BEFORE decoding (a small PNG can hold a huge image)."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > max_pixels:
                raise ImageRejected(f"{probe.width}x{probe.height} px")
            probe.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at reduced size directly
            image = ImageOps.exif_transpose(probe).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ImageRejected(type(exc).__name__) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return np.asarray(image)[:, :, ::-1].copy()  # RapidOCR works in OpenCV's BGR order


def bundled_models() -> Path | None:
    """The models folder inside the installed rapidocr package (None if it is not installed)."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "models"


class OcrEngine:
    """RapidOCR, loaded on first use; call only from worker threads (it blocks)."""

    def __init__(self, threads: int, models: Path) -> None:
        self._threads = threads
        self._models = models
        self._ocr: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._ocr is not None

    def load(self) -> Any:
        with self._lock:
            if self._ocr is None:
                started = time.perf_counter()
                from rapidocr import RapidOCR

                params: dict[str, Any] = {
                    "Global.log_level": "warning",
                    "Det.limit_type": "max",
                    "Det.limit_side_len": DETECT_SIDE,
                    "EngineConfig.onnxruntime.intra_op_num_threads": self._threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
                for task, name in MODEL_FILES.items():
                    params[f"{task}.model_path"] = str(self._models / name)
                self._ocr = RapidOCR(params=params)
                log.info("KTP reader loaded in %.1f s", time.perf_counter() - started)
            return self._ocr

    def read_boxes(self, image: Any) -> list[TextBox]:
        """Every line of text on the photo, turned upright if the photo was upside down."""
        import numpy as np

        ocr = self.load()
        detected = ocr(image, use_cls=False, use_rec=False)
        boxes = getattr(detected, "boxes", None)
        if boxes is None or len(boxes) == 0:
            return []
        boxes = [np.asarray(b, dtype=np.float32) for b in boxes]
        if self._upside_down(ocr, image, boxes):
            height, width = image.shape[:2]
            image = np.ascontiguousarray(image[::-1, ::-1])
            # The same quadrilaterals in the turned image, still starting at their top-left.
            corner = np.array([width - 1, height - 1], dtype=np.float32)
            boxes = [np.roll(corner - b, 2, axis=0) for b in boxes]
        crops = ocr.crop_text_regions(image, boxes)
        crops, _ = ocr.cls_and_rotate(crops)  # single lines that still read upside down
        recognised = ocr.recognize_txt(crops)
        out: list[TextBox] = []
        for box, text, score in zip(boxes, recognised.txts, recognised.scores, strict=True):
            if text.strip():
                points = tuple((float(x), float(y)) for x, y in box)
                out.append(TextBox(text, points, float(score)))
        return out

    @staticmethod
    def _upside_down(ocr: Any, image: Any, boxes: Sequence[Any]) -> bool:
        """A vote of the line classifier over the widest lines (one line alone is unsure)."""
        import numpy as np

        widths = [float(np.linalg.norm(b[1] - b[0])) for b in boxes]
        widest = sorted(range(len(boxes)), key=lambda i: -widths[i])[:ORIENTATION_SAMPLES]
        crops = ocr.crop_text_regions(image, [boxes[i] for i in widest])
        _, result = ocr.cls_and_rotate(crops)
        vote = 0.0
        for label, score in result.cls_res:
            vote += float(score) if label == "180" else -float(score)
        return vote > 0


class OcrKtpReader:
    """The `dialogs.ktp.KtpReader` the composition root passes to the dialogs."""

    def __init__(
        self,
        files: FileStore,
        *,
        enabled: bool = True,
        threads: int = 1,
        max_pixels: int = 40_000_000,
        wait_seconds: float = 20.0,
        models: Path | None = None,
        engine: OcrEngine | None = None,
    ) -> None:
        self._files = files
        self._max_pixels = max_pixels
        self._wait = wait_seconds
        self._one_at_a_time = asyncio.Semaphore(1)
        models = models or bundled_models()
        self.enabled = enabled and self._available(models)
        self._engine = engine or OcrEngine(threads, models or Path())

    @staticmethod
    def _available(models: Path | None) -> bool:
        if models is None or importlib.util.find_spec("onnxruntime") is None:
            log.warning("KTP reading off: rapidocr/onnxruntime not installed (see README)")
            return False
        missing = [name for name in MODEL_FILES.values() if not (models / name).is_file()]
        if missing:
            log.warning("KTP reading off: OCR model files missing: %s", ", ".join(missing))
            return False
        return True

    async def read(self, document_ref: str) -> KtpReading | None:
        if not self.enabled or not document_ref.startswith("sha256:"):
            return None
        try:
            await asyncio.wait_for(self._one_at_a_time.acquire(), self._wait)
        except TimeoutError:
            log.info("KTP reader busy: photo %s left for the citizen to type", document_ref[:15])
            return None
        try:
            return await asyncio.to_thread(self._read_sync, document_ref.removeprefix("sha256:"))
        finally:
            self._one_at_a_time.release()

    def _read_sync(self, sha256: str) -> KtpReading | None:
        started = time.perf_counter()
        try:
            image = decode_photo(self._files.read(sha256), self._max_pixels)
        except (ImageRejected, FileNotFoundError, ValueError) as exc:
            log.info("KTP photo not read: %s", exc)
            return None
        try:
            boxes = self._engine.read_boxes(image)
        except Exception:
            # A fault in the OCR library must cost the citizen a typed answer, not the turn.
            log.exception("KTP reader failed on a photo")
            return None
        reading = parse_ktp(boxes)
        # Never the NIK or the name in the log: only what was found and how long it took.
        log.info(
            "KTP photo read in %.2f s: %d lines, nik %s, name %s",
            time.perf_counter() - started,
            len(boxes),
            "yes" if reading.nik else ("unsure" if reading.nik_seen else "no"),
            "yes" if reading.name else "no",
        )
        return reading


IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


class KtpPrefetch:
    """Reads a KTP photo BEFORE the turn that receives it, and hands the reading to that turn.

    The OCR takes a second or two of CPU. Inside the turn it would hold the conversation's
    transaction open, and on SQLite (one turn at a time per process) every other citizen would
    wait. So the pipeline calls `prefetch(inbound)` before it takes the turn: when the photo is
    an image and the stored state says a KTP is expected, it is read then, and the dialog's
    `read(ref)` (the `dialogs.ktp.KtpReader` port) only takes the result. A result nobody takes
    is dropped after `keep_seconds`; a taken one is removed at once (the text is not kept).
    """

    def __init__(
        self,
        reader: OcrKtpReader,
        peek_state: Callable[[str, str], Awaitable[Mapping[str, object] | None]],
        keep_seconds: float = 600.0,
        max_kept: int = 64,
    ) -> None:
        self._reader = reader
        self._peek_state = peek_state
        self._keep = keep_seconds
        self._max_kept = max_kept
        self._readings: dict[str, tuple[float, KtpReading | None]] = {}

    @property
    def enabled(self) -> bool:
        return self._reader.enabled

    async def prefetch(self, inbound: Inbound) -> None:
        if not self._reader.enabled:
            return
        photo = next(
            (
                a
                for a in inbound.attachments
                if a.sha256 and not a.error and a.mime_type in IMAGE_TYPES
            ),
            None,
        )
        if photo is None or photo.ref in self._readings:
            return
        if not wants_ktp(await self._peek_state(inbound.key.channel, inbound.key.chat_id)):
            return
        reading = await self._reader.read(photo.ref)
        self._forget_old()
        self._readings[photo.ref] = (time.monotonic(), reading)

    async def read(self, document_ref: str) -> KtpReading | None:
        kept = self._readings.pop(document_ref, None)
        return kept[1] if kept is not None else None

    def _forget_old(self) -> None:
        now = time.monotonic()
        for ref, (at, _) in list(self._readings.items()):
            if now - at > self._keep:
                del self._readings[ref]
        while len(self._readings) >= self._max_kept:
            del self._readings[next(iter(self._readings))]
