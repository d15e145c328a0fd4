"""Course data: where each dataset comes from, and one loader per dataset.

Resolution order for downloadable sets (COURSE.md §6): the directory named by the
``WEST2AI_DATA`` environment variable, then the Debian package's system copy, then the course
cache, then the download through torchvision (with its progress bar). The download happens
only where it is allowed: ``download=True``, or the default ``download=None`` on Colab (a fresh
Colab machine has no other copy). Mentors' machines and the grader never download.
``WEST2AI_FASHION_MNIST_URL`` names a mirror (a folder URL holding the four official ``.gz``
files) tried before the official one: a campus mirror, or a local server in the tests.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

SYSTEM_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")

# MD5 of the decompressed official files (the Debian package recompressed the .gz files).
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

FASHION_MNIST_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]


MIRROR_VARIABLE = "WEST2AI_FASHION_MNIST_URL"


class DatasetNotFound(FileNotFoundError):
    """A dataset is in none of the places we look; the message says how to get it."""


def on_colab() -> bool:
    """True inside a Google Colab runtime (it imports ``google.colab`` at start-up)."""
    return "google.colab" in sys.modules


def _download_allowed(download: bool | None) -> bool:
    return on_colab() if download is None else bool(download)


def cache_dir() -> Path:
    """Where prepared copies live: ``$WEST2AI_CACHE`` or ``~/.cache/west2ai``."""
    return Path(os.environ.get("WEST2AI_CACHE", Path.home() / ".cache" / "west2ai"))


def md5_of(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _raw_complete(raw: Path) -> bool:
    return all((raw / name).is_file() for name in FASHION_MNIST_FILES)


def _unpack_into(src: Path, raw: Path) -> None:
    """Decompress the four ``.gz`` files of ``src`` into ``raw`` and verify their MD5s."""
    raw.mkdir(parents=True, exist_ok=True)
    for name, md5 in FASHION_MNIST_FILES.items():
        dst = raw / name
        if dst.is_file() and md5_of(dst) == md5:
            continue
        tmp = dst.with_suffix(".part")
        with gzip.open(src / f"{name}.gz", "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        if md5_of(tmp) != md5:
            tmp.unlink()
            raise DatasetNotFound(
                f"{src / (name + '.gz')} 解压后的 MD5 与官方数据不符（文件损坏？）。"
                "请重新安装 dataset-fashion-mnist 或删除后重新下载。"
            )
        tmp.rename(dst)


def _fashion_mnist_sources() -> list[tuple[str, Path]]:
    found = []
    env = os.environ.get("WEST2AI_DATA")
    if env:
        base = Path(env)
        for cand in (base / "FashionMNIST" / "raw", base / "fashion-mnist", base):
            found.append(("WEST2AI_DATA", cand))
    found.append(("Debian dataset-fashion-mnist", SYSTEM_FASHION_MNIST))
    found.append(("cache", cache_dir() / "FashionMNIST" / "raw"))
    return found


def fashion_mnist_root(download: bool | None = None) -> Path:
    """Return a torchvision root whose ``FashionMNIST/raw`` holds the four idx files.

    Looks in ``$WEST2AI_DATA``, the Debian package, then the course cache. With
    ``download=True``, or by default on Colab, it falls back to torchvision's download.
    """
    for _, cand in _fashion_mnist_sources():
        if _raw_complete(cand):
            if cand.name == "raw" and cand.parent.name == "FashionMNIST":
                return cand.parent.parent
            root = cache_dir()
            _link_raw(cand, root / "FashionMNIST" / "raw")
            return root
        if all((cand / f"{n}.gz").is_file() for n in FASHION_MNIST_FILES):
            root = cache_dir()
            _unpack_into(cand, root / "FashionMNIST" / "raw")
            return root
    if _download_allowed(download):
        return _download_fashion_mnist(cache_dir())
    raise DatasetNotFound(
        "找不到 Fashion-MNIST 数据集。任选一种方式解决：\n"
        "  1) Debian/Ubuntu：sudo apt-get install dataset-fashion-mnist\n"
        "  2) 已有数据：export WEST2AI_DATA=/path/to/dir（其中含 FashionMNIST/raw/ 或四个 .gz 文件）\n"
        "  3) 联网下载：python -c \"import west2ai.data as d; d.fashion_mnist_root(download=True)\"\n"
        "     （或在 notebook 中调用 fashion_mnist(..., download=True)）"
    )


def _download_fashion_mnist(root: Path) -> Path:
    """torchvision's download into ``root`` (mirror first, when one is named), then the same
    MD5 check of the decompressed files as for every other source."""
    from torchvision import datasets

    mirror = os.environ.get(MIRROR_VARIABLE, "").strip()

    class CourseFashionMNIST(datasets.FashionMNIST):
        mirrors = ([mirror.rstrip("/") + "/"] if mirror else []) + datasets.FashionMNIST.mirrors
        # The .gz files differ between mirrors (Debian's are recompressed): the decompressed
        # files' MD5s below are the check that holds for all of them.
        resources = [(name, None) for name, _ in datasets.FashionMNIST.resources]

        @property
        def raw_folder(self) -> str:  # torchvision names the folder after the class
            return str(raw)

    raw = root / "FashionMNIST" / "raw"
    print("正在通过 torchvision 下载 Fashion-MNIST（约 30 MB，只需一次）到", raw)
    try:
        CourseFashionMNIST(root, train=True, download=True)
    except RuntimeError as exc:
        raise DatasetNotFound(f"Fashion-MNIST 下载失败（检查网络，或设置 {MIRROR_VARIABLE} 为一个镜像地址）：{exc}") from exc
    for name, md5 in FASHION_MNIST_FILES.items():
        if md5_of(raw / name) != md5:
            (raw / name).unlink()
            (raw / f"{name}.gz").unlink(missing_ok=True)
            raise DatasetNotFound(f"下载的 {name} 与官方数据的 MD5 不符（下载不完整或镜像有误），已删除，请重新运行。")
    return root


def _link_raw(src: Path, raw: Path) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for name in FASHION_MNIST_FILES:
        dst = raw / name
        if not dst.exists():
            try:
                dst.symlink_to((src / name).resolve())
            except OSError:
                shutil.copyfile(src / name, dst)


def fashion_mnist(train: bool = True, transform=None, download: bool | None = None):
    """``torchvision.datasets.FashionMNIST`` over the resolved copy (downloaded only where
    :func:`fashion_mnist_root` allows it)."""
    from torchvision import datasets

    root = fashion_mnist_root(download=download)
    return datasets.FashionMNIST(root, train=train, transform=transform, download=False)


def _read_idx(path: Path) -> np.ndarray:
    data = path.read_bytes()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist_arrays(split: str = "train", download: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST as numpy arrays without torch: images (n, 28, 28) uint8, labels (n,) int64."""
    if split not in ("train", "test"):
        raise ValueError(f"split 应为 'train' 或 'test'，而不是 {split!r}")
    raw = fashion_mnist_root(download=download) / "FashionMNIST" / "raw"
    prefix = "train" if split == "train" else "t10k"
    images = _read_idx(raw / f"{prefix}-images-idx3-ubyte")
    labels = _read_idx(raw / f"{prefix}-labels-idx1-ubyte").astype(np.int64)
    return images, labels


# ---------------------------------------------------------------- Chinese poems
@dataclass(frozen=True)
class Poem:
    title: str
    author: str
    text: str  # body lines joined with "\n"


POEM_CORPORA = ("tang300", "song100")


def poems(corpus: str = "tang300") -> list[Poem]:
    """Poems shipped with the package (cleaned from Debian's fortunes-zh, GPL-3.0+)."""
    if corpus not in POEM_CORPORA:
        raise ValueError(f"corpus 应为 {POEM_CORPORA} 之一，而不是 {corpus!r}")
    raw = resources.files("west2ai").joinpath("data", f"{corpus}.txt").read_text(encoding="utf-8")
    body = "\n".join(line for line in raw.splitlines() if not line.startswith("#"))
    out = []
    for block in body.split("\n%\n"):
        lines = [line for line in block.strip().splitlines() if line]
        out.append(Poem(lines[0], lines[1], "\n".join(lines[2:])))
    return out


def dataset_report() -> list[tuple[str, str]]:
    """(dataset, where it was found or what to install) for ``west2ai doctor``."""
    rows = []
    try:
        rows.append(("Fashion-MNIST", str(fashion_mnist_root() / "FashionMNIST" / "raw")))
    except DatasetNotFound:
        rows.append(("Fashion-MNIST", "缺失：sudo apt-get install dataset-fashion-mnist，或设置 WEST2AI_DATA"))
    rows.append(("唐诗三百首 / 宋词", f"随 west2ai 附带（{len(poems('tang300'))} + {len(poems('song100'))} 首）"))
    try:
        import sklearn  # noqa: F401

        rows.append(("digits 8x8", "scikit-learn 自带"))
    except ImportError:
        rows.append(("digits 8x8", "缺失：pip install scikit-learn"))
    return rows
