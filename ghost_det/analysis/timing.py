"""The benchmark's timing core: interleaved calls, medians and ranges, peak
memory. A drift of a noisy machine hits every call of a group alike."""
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import torch

DEPLOY = ' deploy'  # suffix of a Ghost-family model's deployed variant


@dataclass
class Record:
    """One model variant in one mode at one input, timed."""

    part: str                   # 'backbone' or '<detector> inference'
    variant: str                # model name [+ DEPLOY [+ ' <layout>']]
    mode: str
    shape: Tuple[int, ...]      # input (N, C, H, W)
    threads: int
    device: str
    times_ms: List[float] = field(default_factory=list)
    peak_mb: Optional[float] = None
    setup_s: float = 0.0        # build, export or compile time, not timed
    error: Optional[str] = None

    @property
    def model(self) -> str:
        return self.variant.split(DEPLOY)[0]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else (
            float('nan'))

    def summary(self) -> dict:
        out = asdict(self)
        out.update(median_ms=self.median_ms,
                   min_ms=min(self.times_ms, default=None),
                   max_ms=max(self.times_ms, default=None))
        return out

    @classmethod
    def from_summary(cls, saved: dict) -> 'Record':
        fields = {k: v for k, v in saved.items()
                  if k not in ('median_ms', 'min_ms', 'max_ms')}
        fields['shape'] = tuple(fields['shape'])
        return cls(**fields)


def synchronize(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def peak_memory_mb(fn: Callable[[], object], device: str) -> float:
    """Peak memory torch allocates while ``fn`` runs, above what was
    allocated before: CUDA's allocator statistics on GPU, the profiler's
    allocation trace on CPU."""
    if device == 'cuda':
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        fn()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True,
                 record_shapes=False) as prof:
        fn()
    live = peak = 0
    for event in sorted(prof.events(), key=lambda e: e.time_range.start):
        live += event.self_cpu_memory_usage
        peak = max(peak, live)
    return peak / 2**20


@torch.inference_mode()
def time_interleaved(calls: Dict[tuple, Callable[[], object]], warmup: int,
                     repeats: int, device: str) -> Dict[tuple, List[float]]:
    """Milliseconds per call, each repeat running every call once."""
    for fn in calls.values():
        for _ in range(warmup):
            fn()
    times: Dict[tuple, List[float]] = {k: [] for k in calls}
    for _ in range(repeats):
        for key, fn in calls.items():
            synchronize(device)
            start = time.perf_counter()
            fn()
            synchronize(device)
            times[key].append((time.perf_counter() - start) * 1e3)
    return times
