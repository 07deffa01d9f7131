"""Nơi và tên các tệp ranh giới dẫn xuất. / Where the derived boundary files live, by name.

Bản dựng ghi, bộ nạp đọc: một chỗ định nghĩa để hai bên không lệch nhau.
/ The build writes them and the loader reads them: defined once so the two cannot drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from geo.codelists import CodeList

# assets/geo of the checkout (through the geo/boundaries link), or the wheel's copy.
ASSETS_DIR: Final = Path(__file__).resolve().parent / "boundaries"
ARCHIPELAGOS_FILE: Final = "archipelagos.geojson"
CREDITS_FILE: Final = "CREDITS.md"
# 1e-4° ≈ 11 m: dưới một điểm ảnh trên tường 4K, và lưới này giữ phủ kín khi ghi ra 4 chữ số.
# / ≈ 11 m: below a pixel on a 4K-high wall; snapping to this grid keeps the coverage exact
# when written with 4 decimals.
GRID: Final = 1e-4
DECIMALS: Final = 4


def layer_file(code_list: CodeList) -> str:
    """Tên tệp lớp tỉnh của một danh mục. / The province layer's file name for a list."""
    return {CodeList.OLD_63: "provinces-63.geojson", CodeList.NEW_34: "provinces-34.geojson"}[
        CodeList(code_list)
    ]
