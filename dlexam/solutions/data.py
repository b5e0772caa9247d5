"""Real data that ships inside packages: no download, ever.

- Digits: scikit-learn's `load_digits` (1797 images of 8×8 pixels, 0..16), scaled to [0, 1]
  and split by a fixed seed into training and test images.
- Photos: the RGB photos bundled with scikit-image and scikit-learn. Whole photos are held
  out for testing, so test crops never come from a photo the model was trained on.
  `image_crops` cuts small, colourful squares from a downscaled copy of each photo.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

TRAIN_PHOTOS = ("astronaut", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina", "china")
TEST_PHOTOS = ("chelsea", "flower")


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray   # N×64 float32 in [0, 1]
    y_train: np.ndarray   # N int labels
    x_test: np.ndarray
    y_test: np.ndarray


@cache
def digits(test_fraction: float = 0.3, seed: int = 0) -> Split:
    from sklearn.datasets import load_digits

    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(len(y) * (1 - test_fraction))
    train, test = order[:cut], order[cut:]
    return Split(x[train], y[train], x[test], y[test])


def binary_digits(positive: int, negative: int, test_fraction: float = 0.3, seed: int = 0) -> Split:
    """Two digit classes with targets t = +1 (positive) and t = -1 (negative)."""
    split = digits(test_fraction, seed)

    def pick(x, y):
        keep = (y == positive) | (y == negative)
        return x[keep], np.where(y[keep] == positive, 1.0, -1.0).astype(np.float32)

    return Split(*pick(split.x_train, split.y_train), *pick(split.x_test, split.y_test))


@cache
def photo(name: str) -> np.ndarray:
    """One bundled photo as H×W×3 float32 in [0, 1]."""
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image
        image = load_sample_image(f"{name}.jpg")
    else:
        import skimage.data
        image = getattr(skimage.data, name)()
    return (np.asarray(image)[..., :3] / 255.0).astype(np.float32)


def _downscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Average factor×factor blocks (a box filter, so no aliasing)."""
    h, w = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    return image[:h, :w].reshape(h // factor, factor, w // factor, factor, 3).mean(axis=(1, 3))


def _colourfulness(crop: np.ndarray) -> float:
    """Mean distance of the pixels from their grey value: 0 for a grey crop."""
    return float(np.abs(crop - crop.mean(axis=-1, keepdims=True)).mean())


def image_crops(n: int, size: int, split: str = "train", seed: int = 0, min_colour: float = 0.03) -> np.ndarray:
    """n crops of size×size from the split's photos, as an N×3×S×S float32 array in [0, 1].

    Each photo is downscaled so that a crop shows a recognisable patch (about a tenth of
    the photo's width); crops that are almost grey are skipped, since there is nothing to
    colour in them.
    """
    names = {"train": TRAIN_PHOTOS, "test": TEST_PHOTOS}[split]
    rng = np.random.default_rng(seed)
    images = [_downscale(photo(name), max(1, photo(name).shape[1] // (10 * size))) for name in names]
    crops: list[np.ndarray] = []
    for _ in range(200 * n):
        if len(crops) == n:
            break
        image = images[rng.integers(len(images))]
        top, left = rng.integers(image.shape[0] - size + 1), rng.integers(image.shape[1] - size + 1)
        crop = image[top:top + size, left:left + size]
        if _colourfulness(crop) >= min_colour:
            crops.append(crop.transpose(2, 0, 1))
    if len(crops) < n:
        raise ValueError(f"Only {len(crops)} colourful crops of {size}px found in the {split} photos.")
    return np.stack(crops).astype(np.float32)
