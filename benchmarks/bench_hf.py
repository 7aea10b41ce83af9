"""Per-step time of `transformers.Trainer` + AQL (`aql_nb.hf.AQLTrainer`) against the plain Trainer, in one process.

    OMP_NUM_THREADS=1 python benchmarks/bench_hf.py                      # small GPT-2 config on the CPU
    python benchmarks/bench_hf.py --size gpt2-small --bf16 --steps 30    # GPT-2 small (12x768, 1024 tokens) on a GPU

Every mode trains the same randomly initialised `GPT2LMHeadModel` on the same tiny-shakespeare
blocks (byte-level) with the same `TrainingArguments`: the plain `Trainer`; `AQLTrainer` with the
uniform strategy (the integration's own cost: ids through the batch, the loss function, the
callback); cached AQL (scores remembered from the training forward: no extra pass; Fisher EMA every
`--update-freq` steps); cached AQL with top-half token selection; online AQL (a no-grad forward on a
candidate batch twice the trained batch, for scale). The step time is the time between
consecutive `on_step_end` events — everything the Trainer does for a step: fetching the batches,
selection, forward, backward, optimiser, its bookkeeping — the first `--warmup` steps left out;
it is taken both as wall time and as the process's CPU time (`time.process_time`), which other
processes on a shared machine disturb far less (with one torch thread, the CPU time is the step's
work). The modes run interleaved, `--repeats` times; for each repeat the mode's mean step time is
divided by the plain Trainer's of the same repeat, and the ratios' median and range over repeats
are printed:

    overhead = step_time(mode) / step_time(plain Trainer) - 1

On a busy shared machine those ratios scatter by more than the overhead itself, so the report also
gives `machinery`: the share of each AQL run's own step time that the scorer's timers attribute to
selection and uncertainty (candidate forward, `select`, `observe`, Fisher EMA, scores), measured
inside the same steps. The seed claims < 3 % overhead for cached mode.
"""
import argparse, os, platform, statistics, sys, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
import torch
import transformers
from transformers import Trainer, TrainerCallback, TrainingArguments

from aql_nb.data import hf_blocks, load_shakespeare_lm
from aql_nb.hf import AQLTrainer, TokenSelection
from aql_nb.models import tiny_gpt2

SIZES = {'small': dict(n_layer=2, n_head=4, n_embd=128, block=128, batch=16),
         'gpt2-small': dict(n_layer=12, n_head=12, n_embd=768, block=1024, batch=8)}


class StepClock(TrainerCallback):
    "Wall and CPU time at the end of each optimiser step."
    def __init__(self): self.ends = []
    def on_step_end(self, args, state, control, **kw): self.ends.append((time.perf_counter(), time.process_time()))


def machinery(trainer, clock, warmup: int) -> float:
    "Share of the timed steps' wall time that the AQL scorer's own timers attribute to selection and uncertainty."
    if not isinstance(trainer, AQLTrainer): return float('nan')
    sel, unc = trainer.scorer.take_times()  # since the last take: the timed steps (taken at the end of the warm-up)
    return (sel + unc) / (clock.ends[-1][0] - clock.ends[warmup][0])


class TakeTimesAt(TrainerCallback):
    "Reset the scorer's timers at the end of step `step` (the warm-up is not counted)."
    def __init__(self, trainer, step): self.trainer, self.step = trainer, step
    def on_step_end(self, args, state, control, **kw):
        if state.global_step == self.step + 1: self.trainer.scorer.take_times()


def modes(update_freq):
    cached = {'selection': {'strategy': 'aql_cached', 'visit_ratio': 0.5}, 'curriculum': {'enabled': False},
              'uncertainty': {'update_freq': update_freq}}
    return {'plain Trainer': None,
            'AQL uniform': dict(aql={'selection': {'strategy': 'uniform'}}),
            'AQL cached': dict(aql=cached),
            'AQL cached + tokens': dict(aql=cached, token_selection=TokenSelection(0.5)),
            'AQL online (2x candidates)': dict(aql={'selection': {'strategy': 'aql_online', 'keep_ratio': 0.5}, 'curriculum': {'enabled': False},
                                                    'uncertainty': {'update_freq': update_freq}}, candidates=2)}


def run_mode(spec, data, size, steps, bf16, device, out, warmup=0):
    cfg = SIZES[size]
    model = tiny_gpt2(256, cfg['block'], cfg['n_layer'], cfg['n_head'], cfg['n_embd'], tie_weights=True, seed=0)
    spec = dict(spec or {})
    bs = cfg['batch'] * spec.pop('candidates', 1)
    args = TrainingArguments(str(out), max_steps=steps, per_device_train_batch_size=bs, learning_rate=1e-3, logging_steps=10_000,
                             report_to=[], save_strategy='no', disable_tqdm=True, seed=0, bf16=bf16, use_cpu=device == 'cpu',
                             dataloader_num_workers=0)
    cls = Trainer if not spec else AQLTrainer
    t = cls(model, args, train_dataset=data, **spec)
    t.remove_callback(transformers.PrinterCallback)
    clock = StepClock(); t.add_callback(clock)
    if isinstance(t, AQLTrainer): t.add_callback(TakeTimesAt(t, warmup))
    t.train()
    return clock.ends, machinery(t, clock, warmup)


def machine() -> str:
    cpu = next((l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name')), platform.processor()) \
        if Path('/proc/cpuinfo').exists() else platform.processor()
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'
    return (f"{platform.platform()}; CPU {cpu} ({os.cpu_count()} logical cores, torch threads {torch.get_num_threads()}); GPU {gpu}; "
            f"python {platform.python_version()}, torch {torch.__version__}, transformers {transformers.__version__}")


def load() -> str:
    "The 1-minute load average (how busy a shared machine was)."
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, 'getloadavg') else 'n/a'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--size', default='small', choices=list(SIZES))
    ap.add_argument('--steps', type=int, default=50, help='optimiser steps per run')
    ap.add_argument('--warmup', type=int, default=5, help='first steps left out of the timing')
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--update-freq', type=int, default=10, help='Fisher EMA update every N steps')
    ap.add_argument('--bf16', action='store_true')
    ap.add_argument('--out', default=None, help='also write the report to this file')
    a = ap.parse_args(argv)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    cfg, load0 = SIZES[a.size], load()
    train, _, _ = load_shakespeare_lm(block_size=cfg['block'])
    data = hf_blocks(train)
    specs = modes(a.update_freq)
    times = {clock: {m: [] for m in specs} for clock in ('cpu', 'wall')}
    shares = {m: [] for m in specs}
    tmp = Path(os.environ.get('TMPDIR', '/tmp')) / 'bench_hf'
    run_mode(None, data, a.size, max(a.warmup + 2, 4), a.bf16, device, tmp / 'warm', a.warmup)  # first run in the process: lazy initialisation, untimed
    for r in range(a.repeats):
        for name, spec in specs.items():
            ends, share = run_mode(spec, data, a.size, a.steps, a.bf16, device, tmp / f'{r}', a.warmup)
            shares[name].append(share)
            for k, clock in ((0, 'wall'), (1, 'cpu')):
                diffs = [b[k] - e[k] for e, b in zip(ends[:-1], ends[1:])][a.warmup:]
                times[clock][name].append(statistics.mean(diffs))
    lines = [f"command: {' '.join([Path(sys.executable).name, *sys.argv])}" + (f"  (OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']})" if 'OMP_NUM_THREADS' in os.environ else ''),
             f"machine: {machine()}",
             f"task: tiny-shakespeare bytes, GPT2LMHeadModel {cfg['n_layer']}x{cfg['n_embd']} (vocab 256, tied), {cfg['block']} tokens, "
             f"trained batch {cfg['batch']}, {'bf16' if a.bf16 else 'fp32'}, {device}; {a.steps} steps per run, first {a.warmup} untimed, "
             f"{a.repeats} interleaved repeats after one untimed warm-up run",
             f"load average before/after: {load0} / {load()}"]
    for clock in ('cpu', 'wall'):
        lines += ['', f"{clock} time per step", f"{'mode':28s} {'ms/step (median)':>17s} {'ratio median':>13s} {'ratio min..max':>17s} {'overhead':>9s}"]
        base = times[clock]['plain Trainer']
        for name, ts in times[clock].items():
            ratios = [t / b for t, b in zip(ts, base)]
            med = statistics.median(ratios)
            lines.append(f"{name:28s} {1000 * statistics.median(ts):17.2f} {med:13.4f} {min(ratios):8.4f}..{max(ratios):.4f} {100 * (med - 1):+8.2f}%")
    lines += ['', "machinery: share of the timed steps' wall time inside the scorer (candidate forward, select, observe, Fisher EMA, scores)",
              f"{'mode':28s} {'median':>9s} {'min..max':>17s}"]
    for name, sh in shares.items():
        if name != 'plain Trainer': lines.append(f"{name:28s} {100 * statistics.median(sh):8.2f}% {100 * min(sh):7.2f}%..{100 * max(sh):.2f}%")
    report = '\n'.join(lines)
    print(report)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(report + '\n')


if __name__ == '__main__':
    main()
