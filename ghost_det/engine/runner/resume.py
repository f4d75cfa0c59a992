"""Pick a checkpoint that can be resumed, before the Runner loads it.

mmengine's ``--resume`` reads ``last_checkpoint`` and loads the file it
names; a truncated or corrupt file kills the run in ``torch.load`` with a
traceback that names neither the file nor a remedy, even when an intact
checkpoint lies beside it. Here every candidate is loaded first (the
surest check); a damaged one is named with the reason and kept, renamed
``<name>.damaged`` so that the resumed run neither picks it again nor
overwrites it, and the newest readable checkpoint of the work dir (by
iteration) is used.
"""
import glob
import os
import os.path as osp
import re
from typing import List, Optional, Tuple

import torch

# what mmengine's Runner.resume reads
RESUME_KEYS = ('meta', 'state_dict', 'optimizer')
ZIP_MAGIC = b'PK\x03\x04'  # torch.save writes a zip archive
NUMBERED = re.compile(r'^(?:epoch|iter)_(\d+)\.pth$')


class ResumeError(RuntimeError):
    """No checkpoint could be resumed; nothing was trained."""


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be resumed from, or None when it can."""
    if not osp.isfile(path):
        return 'it does not exist'
    size = osp.getsize(path)
    if size == 0:
        return 'it is empty (0 bytes)'
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # noqa: BLE001  (reported as the reason)
        text = f'{type(err).__name__}: {str(err).splitlines()[0]}' if str(
            err) else type(err).__name__
        with open(path, 'rb') as f:
            zipped = f.read(4) == ZIP_MAGIC
        if zipped:  # torch.save's format, cut short or damaged inside
            return f'it is truncated or corrupt ({size} bytes; torch: {text})'
        return f'it is not a checkpoint (torch: {text})'
    if not isinstance(checkpoint, dict):
        return f'it holds a {type(checkpoint).__name__}, not a checkpoint'
    missing = [k for k in RESUME_KEYS if k not in checkpoint]
    if missing:
        return f'it lacks {", ".join(missing)} (not a training checkpoint)'
    return None


def numbered_checkpoints(folder: str) -> List[str]:
    """``epoch_N.pth`` / ``iter_N.pth`` in ``folder``, newest first."""
    found = [(int(m.group(1)), p) for p in glob.glob(osp.join(folder, '*.pth'))
             if (m := NUMBERED.match(osp.basename(p)))]
    return [p for _, p in sorted(found, reverse=True)]


def _last_checkpoint(work_dir: str) -> Optional[str]:
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        return f.read().strip() or None


def _set_aside(path: str) -> str:
    """Rename a damaged checkpoint to ``<name>.damaged`` (main process;
    never deleted); returns where it is now."""
    from mmengine.dist import is_main_process
    if not osp.isfile(path):
        return path
    aside = path + '.damaged'
    if is_main_process():
        os.replace(path, aside)
    return aside


def _listing(tried: List[Tuple[str, str]]) -> str:
    return ''.join(f'\n  {path}: {why}' for path, why in tried)


def pick_resume_checkpoint(work_dir: str, requested: Optional[str] = None,
                           logger=None) -> Optional[str]:
    """The checkpoint to resume from.

    Args:
        work_dir: The run's work dir (``last_checkpoint`` and checkpoints).
        requested: ``--resume PATH``; None for automatic resume.
        logger: Where the choice is logged (mmengine's logger).

    Returns:
        A readable checkpoint, or None when the work dir holds none at all
        (a first run: training starts from the beginning).

    Raises:
        ResumeError: ``requested`` is damaged (the message lists the
            readable alternatives), or every checkpoint is damaged.
    """
    log = logger.warning if logger is not None else print
    if requested is not None:
        why = checkpoint_problem(requested)
        if why is None:
            return requested
        folder = osp.dirname(osp.abspath(requested))
        readable = [p for p in dict.fromkeys(
            numbered_checkpoints(folder) + numbered_checkpoints(work_dir))
            if p != requested and checkpoint_problem(p) is None]
        raise ResumeError(
            f'cannot resume from {requested}: {why}. It is kept as it is; '
            f'nothing was trained. ' + (
                'Readable checkpoints: ' + ', '.join(readable) +
                '; resume from one with --resume PATH, or from the newest '
                'with --resume alone.' if readable else
                'No other readable checkpoint was found beside it or in '
                f'{work_dir}.'))
    last = _last_checkpoint(work_dir)
    candidates = list(dict.fromkeys(
        ([last] if last else []) + numbered_checkpoints(
            osp.dirname(last) if last else work_dir)))
    if not candidates:
        return None
    tried: List[Tuple[str, str]] = []
    for path in candidates:
        why = checkpoint_problem(path)
        if why is None:
            for damaged, reason in tried:
                aside = _set_aside(damaged)
                log(f'resume: {damaged} is damaged: {reason}; kept as '
                    f'{aside}' if aside != damaged else
                    f'resume: {damaged} cannot be resumed: {reason}')
            if tried:
                log(f'resume: resuming from {path}, the newest readable '
                    f'checkpoint in {osp.dirname(path)}')
            return path
        tried.append((path, why))
    raise ResumeError(
        f'cannot resume: no readable checkpoint in {work_dir} (all kept as '
        f'they are; nothing was trained). Tried:{_listing(tried)}\n'
        f'Start afresh in another --work-dir, or drop --resume.')
