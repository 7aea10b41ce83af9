"""How well the noise gate of `aql_learnable` finds the flipped labels, over one training run.

At every validation point it prints the suspects the gate holds back against the flipped-label mask (precision,
recall, clean samples held back, flipped ones let through); after training, what fixed label-probability
thresholds would flag and how well each signal tells a flipped suspect from a clean one (ROC AUC within the
suspects: the stored loss the gate reads, the stored BALD score, and the final model's loss, confidence and entropy);
for the gate's four outcomes, how often those samples were trained on and their stored loss; and, at 30 %, 60 %
and 100 % of the budget, whether a signal the gate does not read would tell flipped from clean better: the
label's probability under the current weights, under exponential moving averages of the weights (`--ema`), and
averaged over each sample's visits, each at the gate's own count of clean samples held back.

    OMP_NUM_THREADS=1 python benchmarks/gate_diagnostics.py --noise 0.4 --method aql_learnable
"""
from __future__ import annotations
import argparse, math, sys
from pathlib import Path
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_selection as B  # noqa: E402  (its data, model and method presets: the runs match the benchmark's)
from aql_nb.data import make_loaders  # noqa: E402
from aql_nb.trainer import AQLv2Trainer, Callback  # noqa: E402


def auc(pos: np.ndarray, score: np.ndarray) -> float:
    "ROC AUC of `score` for the boolean labels `pos` (Mann-Whitney rank statistic, ties averaged)."
    from scipy.stats import rankdata
    r = rankdata(score); n1 = int(pos.sum()); n0 = len(pos) - n1
    return float((r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)) if n1 and n0 else math.nan


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='fashion_mnist'); ap.add_argument('--noise', type=float, default=0.4)
    ap.add_argument('--n-train', type=int, default=0, help='0: the full training pool'); ap.add_argument('--method', default='aql_learnable')
    ap.add_argument('--seed', type=int, default=0); ap.add_argument('--budget', type=float, default=10.0)
    ap.add_argument('--ema', default='0.99,0.998', help='momenta of the weight averages whose label probability is compared')
    ap.add_argument('--visit-momentum', type=float, default=0.9, help='momentum of the average of the stored label probability over visits')
    a = ap.parse_args(argv)
    moms = [float(m) for m in a.ema.split(',') if m.strip()]
    if any(not 0 < m < 1 for m in moms) or not 0 < a.visit_momentum < 1: raise SystemExit("--ema and --visit-momentum take momenta in (0, 1)")
    if not 0 < a.noise < 1: raise SystemExit(f"--noise must lie in (0, 1): the gate is judged against flipped labels, got {a.noise}")
    torch.set_num_threads(1)
    d = B.load_data(a.data, a.noise, None if a.n_train <= 0 else a.n_train, images=False)
    spec = B.Spec(a.data, a.noise, None if a.n_train <= 0 else a.n_train, 'mlp', a.method, a.seed, a.budget,
                  batch_size=B.batch_size(a.data))
    train_dl, val_dl = make_loaders(d.train, d.val, batch_size=spec.batch_size, seed=a.seed, val_batch_size=1024)
    budget = int(a.budget * len(d.train)); steps = math.ceil(budget / spec.batch_size)
    cfg = B.train_config(spec, eval_freq=max(1, steps // 10))
    s = B.make_method(a.method, a.seed)
    if not hasattr(s, 'suspects'): raise SystemExit(f"--method {a.method!r} has no noise gate (suspects()): use an aql_learnable variant")
    flipped = d.noisy
    xs = torch.stack([d.train[i][0] for i in range(len(d.train))]); ys = torch.as_tensor([int(d.train[i][1]) for i in range(len(d.train))])
    print(f"# gate_diagnostics: {a.method} on {a.data} ({len(d.train)} train), {a.noise:.0%} flipped labels, seed {a.seed}\n")
    print('| step | share of budget | suspects | flipped held (TP) | clean held (FP) | flipped let through (FN) | precision | recall | val acc |')
    print('|---|---|---|---|---|---|---|---|---|')

    class Gate(Callback):
        order = 70
        def after_validate(self, t):
            sus, seen = s.suspects(), s.table.seen.cpu()
            tp, fp, fn = int((sus & flipped).sum()), int((sus & ~flipped).sum()), int((~sus & flipped & seen).sum())
            print(f"| {t.step} | {t.samples_seen / budget:.2f} | {int(sus.sum())} | {tp} | {fp} | {fn} | {tp / max(1, tp + fp):.3f} | "
                  f"{tp / max(1, int((flipped & seen).sum())):.3f} | {t.log[-1]['val_acc']:.4f} |", flush=True)

    visits, observe = torch.zeros(len(d.train)), s.observe
    p_visits = torch.full((len(d.train),), math.nan, dtype=torch.float64)   # label probability averaged over each sample's visits
    def counting(ids, loss, *args, **kw):   # how often each sample is trained on
        i, p = ids.cpu(), torch.exp(-loss.detach().cpu().double())
        visits.index_add_(0, i, torch.ones(len(ids))); old = p_visits[i]
        p_visits[i] = torch.where(torch.isnan(old), p, a.visit_momentum * old + (1 - a.visit_momentum) * p)
        return observe(ids, loss, *args, **kw)
    s.observe = counting

    def probs(model) -> torch.Tensor:
        "[n, C] class probabilities of every training sample under `model` (float64; the model's mode is left as it was)."
        was = model.training; model.eval()
        with torch.no_grad(): pr = torch.softmax(torch.cat([model(xs[i:i + 4096]) for i in range(0, len(xs), 4096)]), -1).double()
        model.train(was); return pr

    def label_prob(model) -> torch.Tensor: return probs(model).gather(1, ys[:, None]).squeeze(1)

    signal_rows = []
    tol = 0.5 * max(1, steps // 10) * spec.batch_size / budget   # half a validation interval, as a share of the budget
    class Signals(Callback):   # weight averages, and at 30/60/100 % of the budget every signal at the gate's false-positive count
        order = 80
        def __init__(self): self.avg, self.todo = None, [0.3, 0.6, 1.0]
        def after_step(self, t):
            if self.avg is None:   # fresh copies of the model (no hooks), started from the current weights
                self.avg = {m: B.make_model('mlp', d, a.seed) for m in moms}
                for e in self.avg.values(): e.load_state_dict(t.model.state_dict())
            cur = t.model.state_dict()
            with torch.no_grad():
                for m, e in self.avg.items():
                    for k, v in e.state_dict().items():   # float tensors (weights, running statistics) averaged, counters copied
                        if v.is_floating_point(): v.mul_(m).add_(cur[k], alpha=1 - m)
                        else: v.copy_(cur[k])
        def after_validate(self, t):
            share = t.samples_seen / budget
            if not self.todo or share < self.todo[0] - tol: return
            while self.todo and share >= self.todo[0] - tol: self.todo.pop(0)
            self.table(t, share)
        def after_fit(self, t):
            if self.todo: self.todo = []; self.table(t, t.samples_seen / budget)
        def table(self, t, share):
            stored = torch.exp(-s.table.loss.cpu().double()); seen = ~torch.isnan(stored); pos = flipped[seen]
            held = s.suspects()[seen]; fp0, tp0 = int((held & ~pos).sum()), int((held & pos).sum())
            sig = {'stored label probability (what the gate reads)': stored,
                   f'stored label probability averaged over visits (momentum {a.visit_momentum})': p_visits,
                   'label probability under the current weights': label_prob(t.model),
                   **{f'label probability under the weight average (momentum {m})': label_prob(e) for m, e in self.avg.items()}}
            signal_rows.append(f"| {share:.2f} | the gate itself (its threshold) | | {fp0} | {tp0} | {int(pos.sum()) - tp0} |")
            for name, v in sig.items():   # each signal ranked, cut where it holds back as many clean samples as the gate
                v = v[seen]; clean_sorted = torch.sort(v[~pos]).values
                thr = clean_sorted[fp0] if fp0 < len(clean_sorted) else math.inf   # the fp0 lowest clean values lie below thr
                flag = v < thr; tp, fp = int((flag & pos).sum()), int((flag & ~pos).sum())   # fp < fp0 only where clean values tie
                signal_rows.append(f"| {share:.2f} | {name} | {auc(pos.numpy(), -v.numpy()):.4f} | {fp} | {tp} | {int(pos.sum()) - tp} |")

    t = AQLv2Trainer(B.make_model('mlp', d, a.seed), train_dl, val_dl, cfg, device='cpu', strategy=s, callbacks=[Gate(), Signals()])
    t.train(max_samples=budget)
    loss, ep = s.table.loss.cpu().double(), s.table.scores.cpu().double()
    print('\nAfter training, a fixed gate on the stored loss at label probability p would hold back:\n')
    print('| p | suspects | flipped (TP) | clean (FP) | flipped let through (FN) |\n|---|---|---|---|---|')
    for p in (0.01, 0.02, 0.05, 0.1, 0.2):
        sus = loss > -math.log(p)
        print(f"| {p} | {int(sus.sum())} | {int((sus & flipped).sum())} | {int((sus & ~flipped).sum())} | {int((~sus & flipped).sum())} |")
    prob = probs(t.model); p_label = prob.gather(1, ys[:, None]).squeeze(1)
    sus = s.suspects().numpy(); pos = flipped.numpy()[sus]
    print(f"\nWithin the {int(sus.sum())} suspects at the end, ROC AUC of each signal for 'flipped' (0.5: no better than chance; "
          f"below 0.5: lower values mean flipped):\n")
    print('| signal | AUC |\n|---|---|')
    for name, v in (('stored loss (what the gate reads)', loss), ('stored BALD score', ep), ("final model's loss", -p_label.log()),
                    ("final model's top probability of another class", prob.scatter(1, ys[:, None], 0).max(1).values),
                    ("final model's predictive entropy", -(prob * prob.clamp_min(1e-12).log()).sum(1))):
        print(f"| {name} | {auc(pos, v.numpy()[sus]):.3f} |")
    print(f"\nOver all {len(loss)} samples, AUC of the stored loss for 'flipped': {auc(flipped.numpy(), loss.numpy()):.4f}")
    held = s.suspects()
    print('\nAt the end, by what the gate does with each sample: how often it was trained on over the run, and its stored loss:\n')
    print('| samples | count | visits (mean) | stored loss (median) | label probability (median) |\n|---|---|---|---|---|')
    for name, m in (('flipped, held (TP)', held & flipped), ('clean, held (FP)', held & ~flipped),
                    ('flipped, let through (FN)', ~held & flipped), ('clean, let through', ~held & ~flipped)):
        med = float(loss[m].nanmedian()) if m.any() else math.nan
        print(f"| {name} | {int(m.sum())} | {float(visits[m].mean()):.1f} | {med:.2f} | {math.exp(-med):.2f} |")
    print('\nSignals the gate does not read, each cut at the gate\'s own count of clean samples held back (seen samples; '
          'lower probability = more likely flipped; AUC over all seen samples):\n')
    print('| share of budget | signal | AUC | clean held (FP) | flipped held (TP) | flipped let through (FN) |\n|---|---|---|---|---|---|')
    print('\n'.join(signal_rows))


if __name__ == '__main__': main()
