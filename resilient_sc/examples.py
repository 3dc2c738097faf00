"""Example networks shared by the README, docs, tests and benchmarks.

>>> tiny()
Network(2 suppliers, 1 hub, 1 market, 1 product, 2 countries)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .data import Network, read_network

__all__ = ["electronics", "electronics_path", "electronics_roadmap", "electronics_roadmap_path", "tiny"]

#: the bundled example folder when running from a source checkout
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


def tiny() -> Network:
    """Two suppliers (France, China), one hub, one market: the cheapest plan costs 1260.

    Via S_FR: 500 + 100 + 80·(10 + 1 + 1 + 2) = 1720; via S_CN: 200 + 100 + 80·(6 + 3 + 1 + 2)
    = 1260 (fixed supplier + fixed hub + units · (purchase + inbound lane + handling + outbound lane)).
    """
    return Network.from_frames(
        source="tiny",
        countries=pd.DataFrame({"country": ["FR", "CN"], "region": ["Europe", "Asia"],
                                "bloc": ["EU", ""]}),
        suppliers=pd.DataFrame({"supplier": ["S_FR", "S_CN"], "country": ["FR", "CN"],
                                "fixed_cost": [500.0, 200.0]}),
        supplier_products=pd.DataFrame({"supplier": ["S_FR", "S_CN"], "capacity": [100.0, 100.0],
                                        "unit_cost": [10.0, 6.0]}),
        hubs=pd.DataFrame({"hub": ["H1"], "country": ["FR"], "fixed_cost": [100.0],
                           "handling_cost": [1.0]}),
        markets=pd.DataFrame({"market": ["Paris"], "country": ["FR"]}),
        demand=pd.DataFrame({"market": ["Paris"], "demand": [80.0]}),
        lanes=pd.DataFrame({"origin": ["S_FR", "S_CN", "H1"],
                            "destination": ["H1", "H1", "Paris"],
                            "unit_cost": [1.0, 3.0, 2.0]}),
    )


def electronics_path() -> Path:
    """Folder of the bundled electronics example (CSV files) in a source checkout; absent from an
    installed package, where :func:`electronics` reads the same tables from the package."""
    return EXAMPLES_DIR / "electronics"


def electronics() -> Network:
    """The bundled electronics network: 13 countries, 22 suppliers, 8 hubs, 25 markets."""
    path = electronics_path()
    if not path.is_dir():
        from .example_data import electronics_frames

        return Network.from_frames(source="electronics", **electronics_frames())
    return read_network(path)


def electronics_roadmap_path() -> Path:
    """Folder of the bundled electronics roadmap example, 2026-2030 (CSV files)."""
    return EXAMPLES_DIR / "electronics_roadmap"


def electronics_roadmap() -> Network:
    """The electronics network as a 2026-2030 roadmap: today's network ``existing``, near-shore
    candidates with lead times and opening costs, growing demand and rising US duties."""
    path = electronics_roadmap_path()
    if not path.is_dir():
        from .example_data import electronics_roadmap_frames

        return Network.from_frames(source="electronics_roadmap", **electronics_roadmap_frames())
    return read_network(path)
