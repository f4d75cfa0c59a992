"""The one Markdown table writer of ghost_det's reports."""
from typing import Iterable, Sequence


def markdown_table(header: Sequence[str],
                   rows: Iterable[Sequence[object]]) -> str:
    """``header`` and ``rows`` as a GitHub Markdown table (no trailing
    newline)."""
    lines = ['| ' + ' | '.join(map(str, header)) + ' |',
             '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(map(str, row)) + ' |' for row in rows]
    return '\n'.join(lines)
