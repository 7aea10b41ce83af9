"""When the noise gate of `aql_learnable` opens, and what `gate_undecided` would read then.

Trains `aql_learnable` (its defaults, as `bench_selection.py` runs it) for the first `--until` share of the
budget and prints, at every epoch plan, the share of the budget, the share of the seen samples that is
*undecided* (stored label probability in [label_prob, 1/2)) and whether the gate is open. A run with
`gate_undecided=u` trains exactly like the default until its gate opens; so where the undecided share at the
default's opening plan is at most u, the two runs are the same run.

    OMP_NUM_THREADS=1 python benchmarks/gate_start.py --data fashion_mnist --model mlp --noise 0,0.2,0.4 --seeds 0,1,2
"""
from __future__ import annotations
import argparse, math, sys
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_selection as B  # noqa: E402  (its data, model, configuration and presets)
from aql_nb.callbacks import CancelFitException  # noqa: E402
from aql_nb.data import make_loaders  # noqa: E402
from aql_nb.trainer import AQLv2Trainer, Callback  # noqa: E402


def gate_log(spec: B.Spec, until: float) -> list[tuple[float, float, bool]]:
    "(share of the budget, undecided share, gate open) at every epoch plan of `spec`'s first `until` of the budget."
    torch.set_num_threads(1)
    d = B.load_data(spec.data, spec.noise, spec.n_train, images=spec.model == 'cnn')
    train_dl, val_dl = make_loaders(d.train, d.val, batch_size=spec.batch_size, seed=spec.seed, val_batch_size=1024)
    budget = int(spec.budget_epochs * len(d.train)); steps = math.ceil(budget / spec.batch_size)
    s, log = B.make_method(spec.method, spec.seed), []
    if not hasattr(s, 'gate_is_open'): raise SystemExit(f"--method {spec.method!r} has no noise gate: use an aql_learnable variant")
    plan = s.plan_epoch
    def logged(epoch, generator=None):
        loss = s.table.loss.cpu().double(); seen = s._seen(loss, s.table.scores.cpu().double())
        log.append((s.last_step / s.total_steps, s.undecided_share(loss, seen), s.gate_is_open(loss, seen)))
        return plan(epoch, generator)
    s.plan_epoch = logged
    class Stop(Callback):
        order = 90
        def after_step(self, t):
            if t.samples_seen >= until * budget: raise CancelFitException()
    cfg = B.train_config(spec, eval_freq=max(1, steps // spec.n_evals))
    AQLv2Trainer(B.make_model(spec.model, d, spec.seed), train_dl, val_dl, cfg, device='cpu', strategy=s, callbacks=[Stop()]).train(max_samples=budget)
    return log


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='fashion_mnist'); ap.add_argument('--model', default='mlp', choices=['mlp', 'cnn'])
    ap.add_argument('--noise', default='0,0.4'); ap.add_argument('--n-train', type=int, default=0, help='0: the full training pool')
    ap.add_argument('--seeds', default='0,1,2'); ap.add_argument('--method', default='aql_learnable')
    ap.add_argument('--until', type=float, default=0.3, help='share of the budget to train for')
    a = ap.parse_args(argv)
    if not 0 < a.until <= 1: raise SystemExit(f"--until must lie in (0, 1], got {a.until}")
    n_train = None if a.n_train <= 0 else a.n_train
    pool = '' if a.data != 'fashion_mnist' else (' (full pool)' if n_train is None else f' ({n_train} train)')
    print(f"# gate_start: {a.method} on {a.data}{pool}, {a.model}, first {a.until:.0%} of the budget\n")
    print('| noise | seed | undecided share at each epoch plan (share of the budget; * = gate open) | undecided at the opening plan |')
    print('|---|---|---|---|')
    for nz in a.noise.split(','):
        for seed in (int(x) for x in a.seeds.split(',')):
            spec = B.Spec(a.data, float(nz), n_train, a.model, a.method, seed, batch_size=B.batch_size(a.data))
            log = gate_log(spec, a.until)
            first = next((u for _, u, o in log if o), None)
            cells = ', '.join(f"{sh:.2f}: {u:.3f}{'*' if o else ''}" for sh, u, o in log)
            print(f"| {float(nz):.0%} | {seed} | {cells} | {'not open' if first is None else f'{first:.3f}'} |", flush=True)


if __name__ == '__main__':
    main()
