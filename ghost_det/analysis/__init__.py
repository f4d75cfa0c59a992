"""Cost, speed, memory and the Table 8 layout."""
from .complexity import (
    COUNTING_NOTE,
    config_cost,
    cost_table,
    count_complexity,
    detector_complexity,
    ghostnet_cost,
)
from .table8 import COCO_METRICS, PAPER_TABLE8, markdown, table8_rows

__all__ = ['COCO_METRICS', 'COUNTING_NOTE', 'PAPER_TABLE8', 'config_cost',
           'cost_table', 'count_complexity', 'detector_complexity',
           'ghostnet_cost', 'markdown', 'table8_rows']
