"""Communication cost of distributed AQL: time in collectives as a share of step time, under torchrun.

    python benchmarks/bench_distributed.py --nproc 2            # launches itself under torchrun (gloo on CPU)
    torchrun --nproc_per_node 2 benchmarks/bench_distributed.py --worker

Each rank trains the benchmark MLP (784-512-512-10, Fashion-MNIST or digits, global batch 128) for `--steps`
steps per mode (uniform, cached AQL, InfoBatch, online AQL) and rank 0 prints, per mode, the step time, the
time spent in aql_nb's own collectives (score-table all-gathers, Fisher all-reduce, the loss normaliser, the
global candidate gather) and their share. DDP's own gradient all-reduce is part of the step, not of the share:
it is what any data-parallel run pays.
"""
import argparse, os, statistics, subprocess, sys, time
from pathlib import Path
import torch
from torch.utils.data import DataLoader

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
MODES = {'uniform': {'selection_mode': 'off'}, 'cached': {'selection_mode': 'cached'},
         'infobatch': {'selection.strategy': 'infobatch'}, 'online': {'selection_mode': 'online'}}


def worker(steps: int):
    from aql_nb.distributed import init_distributed
    from aql_nb.trainer import AQLv2Trainer
    from aql_nb import data as D, models as M
    torch.set_num_threads(1)
    c = init_distributed()
    try: train, _ = D.load_fashion_mnist(n_train=20000, n_val=100, seed=0); tag = 'Fashion-MNIST'
    except Exception: train, _ = D.load_digits_data(seed=0); tag = 'digits'
    d = train[0][0].numel()
    rows = []
    for name, mode in MODES.items():
        torch.manual_seed(0)
        cfg = {'learning_rate': 1e-3, 'selection_ratio': 0.5, 'use_curriculum_selection': False, 'save_path': None,
               'progress': False, 'uncertainty_method': 'bald', **mode}
        t = AQLv2Trainer(M.MLP(d, 10, hidden=(512, 512), seed=0), DataLoader(train, batch_size=128, drop_last=True), None, cfg, device='cpu')
        s0, c0 = getattr(c, 'seconds', 0.0), getattr(c, 'calls', 0)
        r = t.train(max_steps=steps)
        comm_s, calls = getattr(c, 'seconds', 0.0) - s0, getattr(c, 'calls', 0) - c0
        st = float(r['step_history']['step_time'].sum())
        rows.append((name, 1000 * st / steps, 1000 * comm_s / steps, calls / steps, comm_s / st if st else float('nan')))
    if c.is_main:
        print(f"# bench_distributed: {c.world_size} processes, gloo, MLP {d}-512-512-10 on {tag}, global batch 128, {steps} steps per mode, 1 thread each\n")
        print('| mode | step ms | aql_nb collectives ms / step | collectives / step | share of step |\n|---|---|---|---|---|')
        for name, ms, cms, calls, share in rows: print(f"| {name} | {ms:.1f} | {cms:.3f} | {calls:.1f} | {100 * share:.2f} % |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--nproc', type=int, default=2, help='processes to launch (default: %(default)s)')
    ap.add_argument('--steps', type=int, default=60, help='steps per mode (default: %(default)s)')
    ap.add_argument('--worker', action='store_true', help='run as a torchrun worker (internal)')
    a = ap.parse_args()
    if a.worker:
        from aql_nb.distributed import shutdown_distributed
        try: return worker(a.steps)
        finally: shutdown_distributed()   # leave the group: gloo can abort in its teardown at interpreter exit
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', str(a.nproc), __file__, '--worker', '--steps', str(a.steps)]
    sys.exit(subprocess.run(cmd, env={**os.environ, 'OMP_NUM_THREADS': '1'}).returncode)


if __name__ == '__main__': main()
