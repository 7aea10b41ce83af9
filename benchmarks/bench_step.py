"""Per-step cost of AQL's modes against uniform training, measured interleaved in one process.

    python benchmarks/bench_step.py                       # CPU: MLP and SmallCNN (Fashion-MNIST or digits), TinyGPT
    python benchmarks/bench_step.py --quick               # fewer steps and repeats
    python benchmarks/bench_step.py --models gpt2_small   # on a GPU: GPT-2-small shape (12x768, 50257 vocab, 1024), bf16

For every model, each repeat runs every mode once, in a fresh random order, for `--steps` optimiser steps
after `--warmup` steps (both through `AQLv2Trainer.train`, the same data, the same seed), and keeps the
median step time (`step_history.step_time`: selection and scoring included, validation excluded). The
ratio of each mode to uniform is taken within the repeat; the table gives the median ratio over repeats
and its spread (min-max), the host synchronisations per step (`aql_nb.core.HostSyncCounter`) and, on CUDA,
the extra peak memory. Modes: `cached:<method>` reuses scores from the training forward (no extra pass),
`online:<method>` scores a candidate batch twice the trained one (an extra no-grad forward, reported also as
a multiple of the uniform step).
"""
import argparse, math, os, platform, random, statistics, sys, time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
from aql_nb.core import HostSyncCounter
from aql_nb.trainer import AQLv2Trainer
from aql_nb import data as D, models as M

MODES = {'uniform': {'selection_mode': 'off'},
         'cached:map_entropy': {'selection_mode': 'cached', 'uncertainty_method': 'map_entropy'},
         'cached:variance': {'selection_mode': 'cached', 'uncertainty_method': 'variance'},
         'cached:entropy': {'selection_mode': 'cached', 'uncertainty_method': 'entropy'},
         'cached:bald': {'selection_mode': 'cached', 'uncertainty_method': 'bald'},
         'online:bald': {'selection_mode': 'online', 'uncertainty_method': 'bald'}}


def build(name: str, device: str):
    "(model factory, train loader, extra config) for a benchmark model."
    if name in ('mlp', 'cnn'):
        try: train, _ = D.load_fashion_mnist(n_train=20000, n_val=100, seed=0); shape, tag = (1, 28, 28), 'Fashion-MNIST'
        except Exception: train, _ = D.load_digits_data(seed=0); shape, tag = (1, 8, 8), 'digits'
        dl = DataLoader(train, batch_size=128, shuffle=False)
        d = math.prod(shape)
        if name == 'mlp': return (lambda: M.MLP(d, 10, hidden=(512, 512), seed=0)), dl, {}, f'MLP {d}-512-512-10 on {tag}, batch 128'
        return (lambda: nn.Sequential(nn.Unflatten(1, shape), M.SmallCNN(shape[0], 10, seed=0))), dl, {}, f'SmallCNN on {tag} 28x28, batch 128'
    if name == 'tinygpt':
        train, _, _ = D.load_shakespeare_lm(block_size=128)
        dl = DataLoader(train, batch_size=16, shuffle=False)
        return (lambda: M.TinyGPT(vocab_size=256, block_size=128, n_layer=4, n_head=4, n_embd=256)), dl, {}, 'TinyGPT 4x256, bytes, context 128, batch 16'
    if name in ('gpt2_small', 'gpt2_medium'):
        n_layer, n_embd = (12, 768) if name == 'gpt2_small' else (24, 1024)
        g = torch.Generator().manual_seed(0)
        toks = torch.randint(0, 50257, (64 * 1025,), generator=g)
        x, y = toks.view(64, 1025)[:, :-1].contiguous(), toks.view(64, 1025)[:, 1:].contiguous()
        dl = DataLoader(TensorDataset(x, y), batch_size=8)
        return ((lambda: M.TinyGPT(vocab_size=50257, block_size=1024, n_layer=n_layer, n_head=n_embd // 64, n_embd=n_embd)), dl,
                {'mixed_precision': 'bf16', 'runtime.compile': 'inductor'}, f'GPT-2 shape {n_layer}x{n_embd}, vocab 50257, context 1024, batch 8, bf16, compiled')
    raise ValueError(f"unknown model {name!r}")


def run(factory, dl, mode, extra, steps, warmup, device, clock='wall'):
    torch.manual_seed(0)
    cfg = {'learning_rate': 1e-3, 'selection_ratio': 0.5, 'use_curriculum_selection': False, 'save_path': None,
           'progress': False, 'seed': 0, **MODES[mode], **extra}
    t = AQLv2Trainer(factory(), dl, None, cfg, device=device)
    if device == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    c0 = time.thread_time()
    with HostSyncCounter() as hs: r = t.train(max_steps=warmup + steps)
    cpu_per_step = (time.thread_time() - c0) / (warmup + steps)
    st = r['step_history']['step_time'].to_numpy()[warmup:]
    peak = torch.cuda.max_memory_allocated() / 2 ** 30 if device == 'cuda' else math.nan
    return (statistics.median(st) if clock == 'wall' else cpu_per_step), hs.total / (warmup + steps), peak


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--models', default='mlp,cnn,tinygpt', help='comma-separated: mlp, cnn, tinygpt, gpt2_small, gpt2_medium (default: %(default)s)')
    ap.add_argument('--modes', default=','.join(MODES), help='comma-separated modes (default: all)')
    ap.add_argument('--repeats', type=int, default=5, help='interleaved repeats per model (default: %(default)s)')
    ap.add_argument('--steps', type=int, default=60, help='timed steps per run (default: %(default)s)')
    ap.add_argument('--warmup', type=int, default=10, help='untimed steps first (default: %(default)s)')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch decides)')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--clock', choices=('wall', 'cpu'), default='wall',
                    help="'wall': median step time; 'cpu': this thread's CPU time per step over the run, robust to other load on the machine (use with --threads 1) (default: %(default)s)")
    ap.add_argument('--quick', action='store_true', help='3 repeats of 20 steps')
    a = ap.parse_args()
    if a.quick: a.repeats, a.steps, a.warmup = 3, 20, 5
    if a.threads: torch.set_num_threads(a.threads)
    modes = [m.strip() for m in a.modes.split(',')]
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor()) if os.path.exists('/proc/cpuinfo') else platform.processor()
    dev = torch.cuda.get_device_name() if a.device == 'cuda' else f'{cpu}, {torch.get_num_threads()} threads'
    print(f"# bench_step: {' '.join(sys.argv)}\n# machine: {dev}; torch {torch.__version__}; {a.repeats} repeats x {a.steps} steps (+{a.warmup} warm-up), modes interleaved in a fresh order each repeat\n")
    rng = random.Random(0)
    for name in a.models.split(','):
        factory, dl, extra, desc = build(name.strip(), a.device)
        res = {m: [] for m in modes}
        for rep in range(a.repeats):
            order = modes[:]; rng.shuffle(order)
            for m in order: res[m].append(run(factory, dl, m, extra, a.steps, a.warmup, a.device, a.clock))
        base = [r[0] for r in res['uniform']]
        print(f"## {desc}\n\nuniform: median {1000 * statistics.median(base):.2f} ms/step ({a.clock} clock)\n")
        print('| mode | time / uniform (median, min-max over repeats) | host syncs / step | peak GiB over uniform |\n|---|---|---|---|')
        for m in modes:
            ratios = [r[0] / b for r, b in zip(res[m], base)]
            peak = statistics.median(r[2] for r in res[m]) - statistics.median(r[2] for r in res['uniform'])
            print(f"| {m} | {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}) | "
                  f"{statistics.median(r[1] for r in res[m]):.2f} | {'n/a' if math.isnan(peak) else f'{peak:+.2f}'} |")
        print(flush=True)


if __name__ == '__main__': main()
