"""Overhead of the AQL machinery per training step, against the uniform baseline in the same run.

    python benchmarks/bench_overhead.py                       # digits MLP, Fashion-MNIST MLP, TinyGPT (CPU or GPU)
    python benchmarks/bench_overhead.py --tasks gpt --steps 40 --repeats 5
    python benchmarks/bench_overhead.py --device cuda --profile   # exact shares on CUDA (synchronised timers)

Every mode runs through the same `AQLv2Trainer` loop on the same data, model and batch size:
uniform (`selection_mode='off'`), cached AQL (scores remembered from the training forward, no
extra pass) and online AQL (one no-grad forward over candidate batches 1/r times the trained
batch, r = 0.5). For the language model, `cached/4` scores each sequence from every fourth
token (`score_token_stride=4`) and `cached/var` uses the summed logit variance instead of the
predictive entropy (`uncertainty_method='variance'`: no softmax over the vocabulary). Each run trains `--steps` optimiser steps; the first `--warmup` steps are left
out of the timing. The modes run interleaved, `--repeats` times, and the median over repeats of
each mode's mean time per training step (data loading excluded) is compared with uniform's:

    overhead = step_time(mode) / step_time(uniform) - 1

`machinery` is the share of the step the trainer's own timers attribute to selection and
uncertainty (candidate forward, `select`, `observe`, Fisher updates, scores); for uniform it is
the cost of the (empty) selection interface itself. The seed claims < 3% overhead; the target
for cached mode is < 1%.
"""
import argparse, math, statistics, time

import torch

from aql_nb.data import load_digits_data, load_fashion_mnist, load_shakespeare_lm, make_loaders
from aql_nb.models import MLP, TinyGPT
from aql_nb.core import default_device
from aql_nb.trainer import AQLv2Trainer

MODES = {'uniform': {'selection_mode': 'off'},
         'cached': {'selection_mode': 'cached', 'use_curriculum_selection': False},
         'online': {'selection_mode': 'online', 'use_curriculum_selection': False}}
LM_MODES = {'cached/4': {'selection_mode': 'cached', 'use_curriculum_selection': False, 'score_token_stride': 4},
            'cached/var': {'selection_mode': 'cached', 'use_curriculum_selection': False, 'uncertainty_method': 'variance'}}


def task_digits(device):
    tr, va = load_digits_data(seed=0)
    tdl, vdl = make_loaders(tr, va, batch_size=32, seed=0)
    return tdl, vdl, lambda: MLP(64, 10, hidden=(256, 128), seed=0), 'digits, MLP 64-256-128-10, batch 32'


def task_fashion(device):
    tr, va = load_fashion_mnist(n_train=20000, n_val=2000, seed=0)
    tdl, vdl = make_loaders(tr, va, batch_size=256, seed=0)
    return tdl, vdl, lambda: MLP(784, 10, hidden=(1024, 512), seed=0), 'Fashion-MNIST 20k, MLP 784-1024-512-10, batch 256'


def task_gpt(device):
    tr, va, _ = load_shakespeare_lm(block_size=128)
    layers, width, bs = (4, 256, 32) if device.type == 'cuda' else (2, 128, 16)  # smaller on the CPU
    tdl, vdl = make_loaders(tr, torch.utils.data.Subset(va, range(64)), batch_size=bs, seed=0)
    def model():
        torch.manual_seed(0)
        return TinyGPT(vocab_size=256, block_size=128, n_layer=layers, n_head=4, n_embd=width)
    return tdl, vdl, model, f'tiny-shakespeare bytes, TinyGPT {layers}x{width}, 128 tokens, batch {bs}'


TASKS = {'digits': task_digits, 'fashion': task_fashion, 'gpt': task_gpt}


def run(task, mode, steps, warmup, device, profile):
    tdl, vdl, model, _ = task
    cfg = {'progress': False, 'save_path': None, 'selection_ratio': 0.5, 'learning_rate': 1e-3, 'profile': profile,
           'mixed_precision': 'no', **{**MODES, **LM_MODES}[mode]}
    tr = AQLv2Trainer(model(), tdl, None, cfg, device=device)
    r = tr.train(max_steps=steps)
    h = r['step_history'].iloc[warmup:]
    return {'step': h.step_time.mean(), 'sel': h.select_time.sum() / h.step_time.sum(),
            'unc': h.uncertainty_time.sum() / h.step_time.sum(), 'data': h.data_time.mean()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tasks', default='digits,fashion,gpt')
    ap.add_argument('--steps', type=int, default=0, help='optimiser steps per run (0: 300 for MLPs, 40 for TinyGPT on CPU)')
    ap.add_argument('--warmup', type=int, default=5)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--device', default=None)
    ap.add_argument('--threads', type=int, default=0, help='torch CPU threads (0: leave as is)')
    ap.add_argument('--profile', action='store_true', help='synchronise CUDA around the timed sections')
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device) if a.device else default_device()
    print(f'torch {torch.__version__}, device {device}' + (f' ({torch.cuda.get_device_name(device)})' if device.type == 'cuda' else
          f', {torch.get_num_threads()} threads'))
    for name in a.tasks.split(','):
        task = TASKS[name](device)
        steps = a.steps or (40 if name == 'gpt' and device.type == 'cpu' else 300)
        print(f'\n== {task[3]}: {steps} steps per run ({a.warmup} warm-up), {a.repeats} interleaved repeats')
        modes = list(MODES) + (list(LM_MODES) if name == 'gpt' else [])
        res = {m: [] for m in modes}
        for _ in range(a.repeats):
            for m in modes: res[m].append(run(task, m, steps, a.warmup, device, a.profile))
        med = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for m, rs in res.items()}
        base = med['uniform']['step']
        print(f"{'mode':8s} {'ms/step':>9s} {'overhead':>9s} {'machinery':>10s} {'(select':>8s} {'uncert.)':>8s}  spread of ms/step")
        for m, v in med.items():
            steps_ms = sorted(1000 * r['step'] for r in res[m])
            print(f"{m:8s} {1000 * v['step']:9.3f} {v['step'] / base - 1:+9.1%} {v['sel'] + v['unc']:10.1%} {v['sel']:8.1%} {v['unc']:8.1%}"
                  f"  [{steps_ms[0]:.3f} .. {steps_ms[-1]:.3f}]")


if __name__ == '__main__':
    main()
