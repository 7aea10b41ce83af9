"""Selection policies against uniform and the peers, held out: tune on a validation split, report on a test split.

Every run trains one method on one data set with one seed (the model's initialisation and the visiting order;
the data split and the flipped labels are fixed), records validation *and* test accuracy at the same points,
the training time (validation excluded), the share of mislabelled samples trained on and the per-class shares of
trained samples over time. Runs are interleaved (seed-major, the method order rotated per seed) so that methods
share the machine's state, and at most `--jobs` (<= 2) run at once, each with one torch thread.

    OMP_NUM_THREADS=1 python benchmarks/bench_selection.py run --data fashion_mnist --n-train 20000 \
        --noise 0,0.4 --model mlp --methods uniform,infobatch,selective_backprop,aql_learnable --seeds 0,1 \
        --split val --out /tmp/tune
    python benchmarks/bench_selection.py report /tmp/tune --split val     # tables again from the CSVs

Each finished run is kept in OUT/.partial until the tables are written: an interrupted call (a timeout, a
reboot) is taken up again with the same arguments and `--resume`, and only the missing runs train.

A method is a preset name of `METHODS` or `strategy@key=value;key=value` (any registered strategy with
arguments), e.g. `aql_learnable@loss_weight=1;noise_gate=False`.
"""
from __future__ import annotations
import argparse, json, math, os, platform, shlex, sys, time
from dataclasses import dataclass, asdict, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))

from aql_nb.benchmark import METHODS as PACKAGE_METHODS, LeftoverRuns, PartialRuns, add_train_time, first_reach, make_method as package_method
from aql_nb.config import as_config
from aql_nb.data import IndexedDataset, LMBlocks, LabelNoise, load_digits_data, load_fashion_mnist, load_shakespeare_lm, make_loaders
from aql_nb.models import MLP, SmallCNN, TinyGPT
from aql_nb.selection import STRATEGIES
from aql_nb.trainer import AQLv2Trainer, Callback
import aql_nb.baselines  # noqa: F401  (registers the peers)
from aql_nb.policies import LearnableAQL   # (importing it registers the policies)

METHODS: dict[str, tuple[str, dict[str, Any]]] = {   # the package's presets (uniform, infobatch, selective_backprop, ...) and:
    **PACKAGE_METHODS,
    'aql_learnable': ('aql_learnable', {}),
    'aql_class_curriculum': ('aql_class_curriculum', {}),
    # ablation of aql_learnable: each removes (or swaps) one part
    'learnable-no_gate': ('aql_learnable', {'noise_gate': False}),                 # suspects not held back
    'learnable-drop_suspects': ('aql_learnable', {'suspect_share': 0.0}),          # suspects dropped, not held to a share
    'learnable-no_epistemic': ('aql_learnable', {'epistemic_weight': 0.0}),        # uniform priority (the gate alone)
    'learnable+iw': ('aql_learnable', {'importance_weighting': True}),             # unbiased priority-sampling weights
    'learnable+loss': ('aql_learnable', {'loss_weight': 1.0}),                     # priority: BALD + loss
    'learnable+bald_gate': ('aql_learnable', {'epistemic_quantile': 0.5}),         # suspect only if BALD is also low
    # a reference, not a method: aql_learnable whose gate knows which labels were flipped (the headroom of a better gate)
    'oracle_gate': ('bench_oracle_gate', {}),
}


class OracleGate(LearnableAQL):
    """`aql_learnable` with a perfect noise gate: the suspects are exactly the flipped labels (from the first step, or like the real gate).

    `errors` keeps one kind of the real gate's mistakes, to price each: 'fp' holds back the real gate's clean suspects too
    (flipped ones all held), 'fn' lets through the flipped samples the real gate lets through (no clean one held)."""
    def __init__(self, from_gate_after: bool = False, errors: str = 'none', **kwargs):  # from_gate_after: only from `gate_after` of the budget, seen samples
        if errors not in ('none', 'fp', 'fn'): raise ValueError(f"errors must be 'none', 'fp' or 'fn', got {errors!r}")
        super().__init__(**kwargs); self.from_gate_after, self.errors = from_gate_after, errors
    def set_flipped(self, flipped: torch.Tensor) -> None: self.flipped = flipped.clone()
    def suspects(self, loss=None, ep=None) -> torch.Tensor:
        if not hasattr(self, 'flipped'): raise RuntimeError("oracle_gate needs the flipped-label mask (set_flipped): run it through run_one")
        if self.errors != 'none':
            real = LearnableAQL.suspects(self, loss, ep)
            if self.last_step < self.gate_after * self.total_steps: return real
            return (self.flipped & self.table.seen.cpu()) | real if self.errors == 'fp' else real & self.flipped
        if not self.from_gate_after: return self.flipped.clone()
        if self.last_step < self.gate_after * self.total_steps: return torch.zeros(self.n_samples, dtype=torch.bool)
        return self.flipped & self.table.seen.cpu()

STRATEGIES.register('bench_oracle_gate', OracleGate)

# ---------------------------------------------------------------- data
@dataclass
class Data:
    train: Any
    val: Any
    test: Any
    noisy: torch.Tensor       # bool [n_train]: label flipped (by training position)
    clean_y: torch.Tensor | None  # [n_train] the true labels (for the per-class shares); None for text
    in_features: int
    num_classes: int = 10


LM_BLOCK = 64  # byte-level TinyGPT: positions per block


def load_text() -> Data:
    "tiny-shakespeare bytes: the first 90 % trains, the held-out 10 % is cut in half: validation, then test (contiguous)."
    train, held, _ = load_shakespeare_lm(block_size=LM_BLOCK, tokenizer='byte', val_fraction=0.1)
    half = len(held.tokens) // 2
    val, test = LMBlocks(held.tokens[:half], LM_BLOCK), LMBlocks(held.tokens[half:], LM_BLOCK)
    return Data(train, val, test, torch.zeros(len(train), dtype=torch.bool), None, 256, 256)


def load_data(name: str, noise: float, n_train: int | None, images: bool, n_val: int = 5000) -> Data:
    "Train / validation / test with the labels of train flipped at rate `noise` (seed 0: the same for every run)."
    if name == 'shakespeare': return load_text()
    if name == 'fashion_mnist':
        full, test = load_fashion_mnist(flatten=not images)   # official 60k / 10k, normalised with the 60k's pixel stats
        perm = torch.randperm(len(full), generator=torch.Generator().manual_seed(0))
        va, pool = perm[:n_val].sort().values, perm[n_val:]
        tr = (pool if n_train is None else pool[:n_train]).sort().values
        train = IndexedDataset(full.x[tr], full.y[tr], full.ids[tr], full.classes)
        val = IndexedDataset(full.x[va], full.y[va], full.ids[va], full.classes)
    elif name == 'digits':
        train, hold = load_digits_data(val_fraction=0.4, seed=0, as_images=images)   # 60 % train, 20 % val, 20 % test
        half = len(hold) // 2
        val = IndexedDataset(hold.x[:half], hold.y[:half], hold.ids[:half], hold.classes)
        test = IndexedDataset(hold.x[half:], hold.y[half:], hold.ids[half:], hold.classes)
    else: raise ValueError(f"unknown data set {name!r}: 'fashion_mnist' or 'digits'")
    clean = train.y.clone()
    noisy = torch.zeros(len(train), dtype=torch.bool)
    if noise:
        train = LabelNoise(train, noise, num_classes=10, seed=0)
        noisy = train.noisy_mask.clone()
    return Data(train, val, test, noisy, clean, int(np.prod(val.x.shape[1:])))

# ---------------------------------------------------------------- one run
@dataclass
class Spec:
    data: str = 'fashion_mnist'
    noise: float = 0.0
    n_train: int | None = 20000
    model: str = 'mlp'
    method: str = 'uniform'
    seed: int = 0
    budget_epochs: float = 10.0
    batch_size: int = 128
    lr: float = 2e-3
    n_evals: int = 40
    n_windows: int = 20

    @property
    def dataset(self) -> str:
        sub = '' if self.n_train is None or self.data != 'fashion_mnist' else f'[{self.n_train // 1000}k]'   # n_train cuts Fashion-MNIST only
        return f"{self.data}{sub}/{self.model}" + (f'+{round(self.noise * 100)}%noise' if self.noise else '')


def make_method(name: str, seed: int):
    "A preset of `METHODS` or `strategy@k=v;k=v` (`aql_nb.benchmark.make_method` with this script's presets)."
    return package_method(name, seed, METHODS)


class Tracker(Callback):
    "Test accuracy at every validation record; noisy share and clean-label class counts of trained samples per window."
    order = 60
    def __init__(self, test_loader, noisy, clean_y, budget, n_windows):
        self.test_loader, self.noisy, self.clean_y, self.budget, self.n_windows = test_loader, noisy, clean_y, budget, n_windows
        self.lm = clean_y is None
        self.classes = torch.zeros(n_windows, 10, dtype=torch.long); self.n_noisy = 0; self.n = 0; self.n_zero = 0
    def after_step(self, t):
        ids = t.ids[:t.n_real].cpu()
        if t.weights is not None:  # zero-weight rows (probes) are scored, not learnt from
            w = t.weights[:t.n_real].cpu(); self.n_zero += int((w == 0).sum()); ids = ids[w != 0]
        self.n_noisy += int(self.noisy[ids].sum()); self.n += len(ids)
        if self.lm: return
        win = min(self.n_windows - 1, int(self.n_windows * t.samples_seen / self.budget))
        self.classes[win] += torch.bincount(self.clean_y[ids], minlength=10)
    def after_validate(self, t):
        with t.clock.paused():
            r = t.evaluate(self.test_loader)
            t.log[-1]['test_loss'], t.log[-1]['test_acc'] = r['val_loss'], r['val_acc']


def batch_size(data: str) -> int:
    "The batch size of a data set in this benchmark."
    return {'digits': 64, 'shakespeare': 32}.get(data, 128)


def train_config(spec: Spec, eval_freq: int):
    "The trainer configuration every run of this benchmark uses (AdamW, warm-up + cosine over the budget, BALD scores)."
    return as_config(learning_rate=spec.lr, weight_decay=0.01, seed=spec.seed, save_path=None, progress=False, eval_freq=eval_freq,
                     uncertainty_method='bald', uncertainty_update_freq=10, lr_warmup_ratio=0.05, batch_size=spec.batch_size)


def make_model(name: str, d: Data, seed: int):
    if name == 'mlp': return MLP(d.in_features, 10, hidden=(256, 128), seed=seed)
    if name == 'cnn': return SmallCNN(1, 10, seed=seed)
    if name == 'tinygpt': return TinyGPT(256, LM_BLOCK, n_layer=2, n_head=4, n_embd=64, seed=seed)
    raise ValueError(f"unknown model {name!r}: 'mlp', 'cnn' or 'tinygpt'")


def run_one(spec: Spec) -> dict[str, Any]:
    torch.set_num_threads(1)
    d = load_data(spec.data, spec.noise, spec.n_train, images=spec.model == 'cnn')
    train_dl, val_dl = make_loaders(d.train, d.val, batch_size=spec.batch_size, seed=spec.seed, val_batch_size=1024)
    _, test_dl = make_loaders(d.train, d.test, batch_size=spec.batch_size, seed=spec.seed, val_batch_size=1024)
    budget = int(spec.budget_epochs * len(d.train)); steps = math.ceil(budget / spec.batch_size)
    cfg = train_config(spec, eval_freq=max(1, steps // spec.n_evals))
    model = make_model(spec.model, d, spec.seed)
    tracker = Tracker(test_dl, d.noisy, d.clean_y, budget, spec.n_windows)
    strategy = make_method(spec.method, spec.seed)
    if isinstance(strategy, OracleGate): strategy.set_flipped(d.noisy)
    t = AQLv2Trainer(model, train_dl, val_dl, cfg, device='cpu', strategy=strategy, callbacks=[tracker])
    res = t.train(max_samples=budget)
    hist = add_train_time(res['history'], res['step_history'])
    hist = hist[['step', 'samples_seen', 'train_time', 'val_acc', 'test_acc', 'val_loss', 'test_loss']].copy()
    for k, v in (('dataset', spec.dataset), ('method', spec.method), ('seed', spec.seed)): hist[k] = v
    tt = float(hist.train_time.iloc[-1])
    return {'history': hist, 'dataset': spec.dataset, 'method': spec.method, 'seed': spec.seed, 'budget': budget,
            'samples_seen': res['samples_seen'], 'steps': res['steps'], 'train_time': tt,
            'time_per_sample': tt / max(1, res['samples_seen']),
            'final_val_acc': float(hist.val_acc.iloc[-1]), 'final_test_acc': float(hist.test_acc.iloc[-1]),
            'final_val_loss': float(hist.val_loss.iloc[-1]), 'final_test_loss': float(hist.test_loss.iloc[-1]),
            'noisy_share': tracker.n_noisy / max(1, tracker.n), 'base_noise': float(d.noisy.float().mean()),
            'probe_share': tracker.n_zero / max(1, res['samples_seen']),
            'class_counts': json.dumps(tracker.classes.tolist()), 'spec': json.dumps(asdict(spec)), 'metric': 'loss' if d.clean_y is None else 'acc'}

def time_per_sample(spec: Spec, samples: int) -> float:
    "Training seconds per trained sample of a short run of `samples` trained samples (no validation)."
    torch.set_num_threads(1)
    d = load_data(spec.data, spec.noise, spec.n_train, images=spec.model == 'cnn')
    train_dl, _ = make_loaders(d.train, None, batch_size=spec.batch_size, seed=spec.seed)
    cfg = train_config(spec, eval_freq=0)
    model = make_model(spec.model, d, spec.seed)
    t = AQLv2Trainer(model, train_dl, None, cfg, device='cpu', strategy=make_method(spec.method, spec.seed))
    res = t.train(max_samples=samples)
    st = res['step_history']
    return float((st['step_time'] + st.get('data_time', 0)).sum()) / max(1, res['samples_seen'])


def _md_table(df: pd.DataFrame) -> str:
    "A small DataFrame as a markdown table (index first), floats with 3 decimals."
    cols = [df.index.name or ''] + list(df.columns)
    rows = [[str(i)] + [f'{v:.3f}' if isinstance(v, float) else str(v) for v in r] for i, r in zip(df.index, df.itertuples(index=False))]
    return '\n'.join('| ' + ' | '.join(r) + ' |' for r in [cols, ['---'] * len(cols), *rows])


def timing(specs: list[Spec], rounds: int, samples: int) -> pd.DataFrame:
    "Interleaved repeats in one process: round r runs every method once (order rotated per round)."
    rows = []
    for r in range(rounds):
        k = r % len(specs)
        for s in specs[k:] + specs[:k]:
            rows.append({'dataset': s.dataset, 'method': s.method, 'round': r, 'time_per_sample': time_per_sample(s, samples)})
            print(f"timing round {r} {s.method}: {1e6 * rows[-1]['time_per_sample']:.1f} us/sample", flush=True)
    return pd.DataFrame(rows)

# ---------------------------------------------------------------- measures
def _ms(v):
    v = np.asarray([x for x in v if x == x], dtype=float)
    return (float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0, len(v)) if len(v) else (math.nan, math.nan, 0)


def _curve(c: pd.DataFrame, col: str, sign: float):
    "(samples, seconds, score) of one run's records from the start (score = sign x metric: higher is better)."
    c = c.sort_values('step')
    x, w, a = c.samples_seen.to_numpy(float), c.train_time.to_numpy(float), sign * c[col].to_numpy(float)
    return np.r_[0.0, x], np.r_[0.0, w], np.r_[-np.inf, a]


def _at(q: float, xs: np.ndarray, a: np.ndarray) -> float:
    "The score at `q` on one curve from `_curve`, interpolated; NaN before its first record (not measured there)."
    return float(np.interp(q, xs, a)) if len(xs) > 1 and q >= xs[1] else math.nan


def summarise(runs: pd.DataFrame, curves: pd.DataFrame, split: str = 'test', timing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per (dataset, method): measures on `split` ('val' or 'test') against uniform of the same runs.

    The target is uniform's mean final score (accuracy; for text, loss: lower is better). Samples-to-target x is
    given twice: on the seed-mean curves (`s2t_mean_x`: curves averaged over seeds first, then the first record at
    or past the target), and per seed (`s2t_x`: uniform's mean first reach over the method's, a uniform seed that
    never gets there counting as its whole budget, which understates uniform's cost). Wall-to-target likewise from
    the runs' own training seconds, and (`w2t_timed_x`) as samples-to-target x times the ratio of time per trained
    sample measured with interleaved repeats (`timing`, if given). early = score at 10 % of uniform's mean training
    time minus uniform's at 20 % (the "2x faster early" target: >= 0)."""
    rows = []
    tps = None if timing is None else timing.groupby('method').time_per_sample.median()
    for ds, rd in runs.groupby('dataset', sort=False):
        metric = rd.metric.iloc[0] if 'metric' in rd else 'acc'
        sign, col = (1.0 if metric == 'acc' else -1.0), f'{split}_{metric}'
        cd = curves[curves.dataset == ds]
        uni = rd[rd.method == 'uniform']
        if uni.empty: raise ValueError(f"{ds}: no uniform runs")
        target = sign * uni[f'final_{split}_{metric}'].mean()
        per, mean_curve = {}, {}
        for (m, sd), c in cd.groupby(['method', 'seed'], sort=False):
            x, w, a = _curve(c, col, sign)
            per[(m, sd)] = dict(x=x, w=w, a=a, s2t=first_reach(x, a, target), w2t=first_reach(w, a, target))
        for m, c in cd.groupby('method', sort=False):
            piv = c.pivot_table(index='step', columns='seed', values=[col, 'samples_seen', 'train_time'])
            x, w, a = (np.r_[0.0, piv['samples_seen'].mean(axis=1).to_numpy()], np.r_[0.0, piv['train_time'].mean(axis=1).to_numpy()],
                       np.r_[-np.inf, sign * piv[col].mean(axis=1).to_numpy()])
            mean_curve[m] = dict(s2t=first_reach(x, a, target), w2t=first_reach(w, a, target), end=x[-1], wend=w[-1])
        u = [per[('uniform', sd)] for sd in uni.seed]
        u_s2t = np.mean([p['s2t'] if p['s2t'] == p['s2t'] else p['x'][-1] for p in u])
        u_w2t = np.mean([p['w2t'] if p['w2t'] == p['w2t'] else p['w'][-1] for p in u])
        um = mean_curve['uniform']
        um_s2t = um['s2t'] if um['s2t'] == um['s2t'] else um['end']
        um_w2t = um['w2t'] if um['w2t'] == um['w2t'] else um['wend']
        u_T, u_tps = np.mean([p['w'][-1] for p in u]), uni.time_per_sample.mean()
        u_early20 = _ms([_at(0.2 * u_T, p['w'], p['a']) for p in u])[0]
        budget = float(uni.budget.iloc[0])
        for m, r in rd.groupby('method', sort=False):
            p = [per[(m, sd)] for sd in r.seed]
            mc = mean_curve[m]
            row = dict(dataset=ds, method=m, metric=metric, seeds=len(r), target=sign * target, base_noise=float(r.base_noise.mean()),
                       final=_ms(r[f'final_{split}_{metric}']), reached=sum(q['s2t'] == q['s2t'] for q in p),
                       s2t_mean_x=um_s2t / mc['s2t'] if mc['s2t'] == mc['s2t'] else math.nan,
                       w2t_mean_x=um_w2t / mc['w2t'] if mc['w2t'] == mc['w2t'] else math.nan,
                       s2t_x=_ms([u_s2t / q['s2t'] for q in p]), w2t_x=_ms([u_w2t / q['w2t'] for q in p]),
                       tps_x=_ms(r.time_per_sample / u_tps), noisy=_ms(r.noisy_share),
                       acc10=_ms([sign * _at(0.1 * budget, q['x'], q['a']) for q in p]),   # NaN (n/a) where a run has no record yet
                       early_wall=_ms([sign * (_at(0.1 * u_T, q['w'], q['a']) - u_early20) for q in p]))
            row['timed_tps_x'] = float(tps[m] / tps['uniform']) if tps is not None and m in tps and 'uniform' in tps else math.nan
            row['w2t_timed_x'] = row['s2t_mean_x'] / row['timed_tps_x'] if row['timed_tps_x'] == row['timed_tps_x'] else math.nan
            row['gain'] = (row['final'][0] - sign * target) if row['final'][0] == row['final'][0] else math.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _f(v, pct=False, d=2, sign=False):
    m, s, n = v if isinstance(v, tuple) else (v, math.nan, 1)
    if m != m: return 'n/a'
    k = 100 if pct else 1
    fmt = f'{{:{"+" if sign else ""}.{1 if pct else d}f}}'
    return fmt.format(k * m) + (f' ± {k * s:.{1 if pct else d}f}' if s == s and s > 0 else '')


def markdown(summary: pd.DataFrame, split: str) -> str:
    out = []
    for ds, d in summary.groupby('dataset', sort=False):
        noise, lm = d.base_noise.iloc[0], d.metric.iloc[0] == 'loss'
        what = 'loss (nats/token)' if lm else 'accuracy'
        tgt = f"{d.target.iloc[0]:.4f}" if lm else f"{100 * d.target.iloc[0]:.2f} %"
        out.append(f"#### {ds} ({split} split; target = uniform's final {split} {what}, {tgt})\n")
        timed = d.timed_tps_x.notna().any()
        cols = (['method', 'final loss' if lm else 'final acc %', 'vs uniform' + ('' if lm else ' (pts)'), 'reached',
                 'samples-to-target x (mean curve)', 'samples-to-target x (per seed)', 'wall-to-target x (in run)']
                + (['wall-to-target x (timed)', 'time/sample x (timed)'] if timed else ['time/sample x (in run)'])
                + ['loss@10%' if lm else 'acc@10% %', 'early (wall)' + ('' if lm else ' pts')] + (['noisy share %'] if noise > 0 else []))
        out.append('| ' + ' | '.join(cols) + ' |\n|' + '---|' * len(cols))
        for _, r in d.iterrows():
            cells = [r.method, _f(r.final, d=4) if lm else _f(r.final, True), f"{r.gain:+.4f}" if lm else f"{100 * r.gain:+.2f}",
                     f"{r.reached}/{r.seeds}", _f(r.s2t_mean_x), _f(r.s2t_x), _f(r.w2t_mean_x)]
            cells += [_f(r.w2t_timed_x), _f(r.timed_tps_x)] if timed else [_f(r.tps_x)]
            cells += [_f(r.acc10, d=4) if lm else _f(r.acc10, True), _f(r.early_wall, d=4, sign=True) if lm else _f(r.early_wall, True, sign=True)]
            if noise > 0: cells.append(_f(r.noisy, True) + f' (base {100 * noise:.0f})')
            out.append('| ' + ' | '.join(cells) + ' |')
        out.append('')
    return '\n'.join(out)


# ---------------------------------------------------------------- plots
STYLES = ['-', '--', '-.', ':']
COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22']
MARKS = ['o', 's', '^', 'v', 'D', 'P', 'X', '*']


def plot_dataset(curves: pd.DataFrame, ds: str, split: str, path: Path, metric: str = 'acc') -> None:
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    d = curves[curves.dataset == ds]
    fig, axs = plt.subplots(1, 2, figsize=(11, 3.8))
    others = [m for m in d.method.unique() if m != 'uniform']
    for ax, x in zip(axs, ('samples_seen', 'train_time')):
        for m, dm in d.groupby('method', sort=False):
            piv = dm.pivot_table(index='step', columns='seed', values=[f'{split}_{metric}', x])
            xs, acc = piv[x].mean(axis=1).to_numpy(), piv[f'{split}_{metric}']
            i = others.index(m) if m != 'uniform' else -1
            st = dict(lw=2.4, color='k') if i < 0 else dict(lw=1.3, color=COLORS[i % 9], ls=STYLES[i % 4], marker=MARKS[i % 8],
                                                             ms=3, markevery=max(1, len(xs) // 6))
            ln, = ax.plot(xs, acc.mean(axis=1), label=m, **st)
            ax.fill_between(xs, acc.min(axis=1), acc.max(axis=1), alpha=0.1, color=ln.get_color())
        ax.set_xlabel({'samples_seen': 'samples trained on', 'train_time': 'training time (s)'}[x])
        ax.set_ylabel(f'{split} ' + ('accuracy' if metric == 'acc' else 'loss (nats/token)')); ax.grid(alpha=0.3)
        v = d[f'{split}_{metric}']
        if metric == 'acc': ax.set_ylim(max(0, v.quantile(0.15) - 0.03), min(1, v.max() + 0.01))
        else: ax.set_ylim(v.min() - 0.02, v.quantile(0.85) + 0.05)
    axs[0].set_title(ds); axs[1].legend(fontsize=7, ncol=2, loc='lower right')
    fig.tight_layout(); fig.savefig(path, dpi=70); plt.close(fig)


def plot_class_shares(runs: pd.DataFrame, ds: str, methods: list[str], path: Path) -> None:
    "Per-class share of the samples trained on in each window of the budget (mean over seeds)."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    methods = [m for m in methods if ((runs.dataset == ds) & (runs.method == m)).any()]
    if not methods: return
    ncol = min(4, len(methods)); nrow = math.ceil(len(methods) / ncol)
    fig, axs = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.5 * nrow), sharey=True, squeeze=False)
    for ax in axs.flat[len(methods):]: ax.axis('off')
    for ax, m in zip(axs.flat, methods):
        cc = np.mean([np.array(json.loads(c), dtype=float) for c in runs[(runs.dataset == ds) & (runs.method == m)].class_counts], 0)
        share = cc / np.clip(cc.sum(1, keepdims=True), 1, None)
        xs = (np.arange(len(share)) + 0.5) / len(share) * 100
        for c in range(share.shape[1]): ax.plot(xs, 100 * share[:, c], color=plt.cm.tab10(c), lw=1.2, ls=STYLES[c % 4], label=str(c))
        ax.axhline(10, color='k', lw=0.6); ax.set_title(m, fontsize=8); ax.set_xlabel('% of budget'); ax.grid(alpha=0.3)
    for row in axs: row[0].set_ylabel('share of trained\nsamples %')
    axs.flat[len(methods) - 1].legend(fontsize=6, ncol=2, title='class', title_fontsize=6)
    fig.tight_layout(); fig.savefig(path, dpi=70); plt.close(fig)


def png_name(ds: str, kind: str = 'curves') -> str:
    return f"{kind}_" + ds.replace('/', '_').replace('%', 'pct').replace('+', '_').replace('[', '').replace(']', '') + '.png'

# ---------------------------------------------------------------- driver
def machine() -> str:
    cpu = platform.machine()
    try: cpu = next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): pass
    load = f", load {os.getloadavg()[0]:.1f} at the start" if hasattr(os, 'getloadavg') else ''
    return f"{cpu}, {os.cpu_count()} cores (shared), torch {torch.__version__}, 1 thread per run{load}"


def exit_with_parent(ppid: int, every_s: float = 2.0) -> None:
    "Pool initializer: the worker exits once its parent `ppid` is gone (a killed call leaves no run behind)."
    import threading
    def watch():
        while os.getppid() == ppid: time.sleep(every_s)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def interleaved(specs_by_seed: list[list[Spec]]) -> list[Spec]:
    "Seed-major; within a seed the method order rotates so no method always runs first or alone."
    out = []
    for i, group in enumerate(specs_by_seed):
        r = i % max(1, len(group)); out += group[r:] + group[:r]
    return out


def write(out: Path, runs: pd.DataFrame, curves: pd.DataFrame, meta: dict, split: str) -> pd.DataFrame:
    out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(out / 'runs.csv', index=False); curves.to_csv(out / 'curves.csv.gz', index=False)
    (out / 'meta.json').write_text(json.dumps(meta, indent=1) + '\n')
    return report(out, split)


def report(out: Path, split: str) -> pd.DataFrame:
    runs, curves = pd.read_csv(out / 'runs.csv'), pd.read_csv(out / 'curves.csv.gz')
    meta = json.loads((out / 'meta.json').read_text())
    timing = pd.read_csv(out / 'timing.csv') if (out / 'timing.csv').exists() else None
    summ = summarise(runs, curves, split, timing)
    flat = summ.copy()
    for c in flat.columns:
        if flat[c].map(lambda v: isinstance(v, tuple)).any():
            flat[c + '_std'] = flat[c].map(lambda v: v[1]); flat[c] = flat[c].map(lambda v: v[0])
    flat.to_csv(out / f'summary_{split}.csv', index=False)
    head = (f"Command: `{meta['command']}`\n\nMachine: {meta['machine']}; {len(runs)} runs, "
            f"{runs.train_time.sum() / 60:.1f} min of training in all ({meta.get('elapsed_min', float('nan')):.1f} min wall).\n\n")
    (out / f'results_{split}.md').write_text(head + markdown(summ, split) + LEGEND)
    for ds in runs.dataset.unique():
        metric = runs[runs.dataset == ds].metric.iloc[0] if 'metric' in runs else 'acc'
        plot_dataset(curves, ds, split, out / png_name(ds), metric)
        if metric == 'acc': plot_class_shares(runs, ds, [m for m in runs.method.unique()], out / png_name(ds, 'classes'))
    return summ


LEGEND = ("\nColumns: **vs uniform**: final score minus uniform's mean final score (accuracy in points; for text, loss in "
          "nats per token, negative is better); **samples-to-target x**: uniform's trained samples to its own mean final "
          "score, divided by the method's (> 1: fewer samples than uniform); *mean curve*: on the curves averaged over "
          "seeds first; *per seed*: mean ± sd of uniform's mean first reach over each seed's (a uniform seed that never "
          "reaches the mean counts as its whole budget, which understates uniform's cost); **reached**: seeds whose own "
          "curve reached the target; **wall-to-target x (in run)**: the same on the mean curves in training seconds of "
          "these runs (2 runs shared a loaded machine: noisy); **(timed)**: samples-to-target x (mean curve) divided by the "
          "time per trained sample measured with interleaved repeats in one process (`timing`); **acc@10%**: score after "
          "10 % of the sample budget; **early (wall)**: score at 10 % of uniform's training time minus uniform's at 20 % "
          "(>= 0 meets the \"2x faster early\" target); **noisy share**: trained samples whose label was flipped.\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('--data', default='fashion_mnist'); r.add_argument('--n-train', type=int, default=20000)
    r.add_argument('--noise', default='0'); r.add_argument('--model', default='mlp')
    r.add_argument('--methods', default='uniform,infobatch,selective_backprop,aql_cached,aql_learnable,aql_class_curriculum')
    r.add_argument('--seeds', default='0,1,2'); r.add_argument('--budget', type=float, default=10.0)
    r.add_argument('--evals', type=int, default=40); r.add_argument('--jobs', type=int, default=2)
    r.add_argument('--split', default='test', choices=('val', 'test')); r.add_argument('--out', required=True)
    r.add_argument('--resume', action='store_true', help="reuse the runs an interrupted call finished (kept in OUT/.partial until the tables are written)")
    tm = sub.add_parser('timing', help='time per trained sample from interleaved repeats (one process, one thread)')
    for k, v in (('--data', 'fashion_mnist'), ('--noise', '0'), ('--model', 'mlp'), ('--methods', r.get_default('methods'))):
        tm.add_argument(k, default=v)
    tm.add_argument('--n-train', type=int, default=20000); tm.add_argument('--rounds', type=int, default=5)
    tm.add_argument('--epochs', type=float, default=2.0, help='trained samples per repeat, in training-set sizes')
    tm.add_argument('--out', required=True)
    p = sub.add_parser('report'); p.add_argument('out'); p.add_argument('--split', default='test', choices=('val', 'test'))
    a = ap.parse_args(argv)
    if a.cmd == 'report': print(markdown(report(Path(a.out), a.split), a.split)); return
    if a.cmd == 'timing':
        methods = [m for m in a.methods.split(',') if m]
        if 'uniform' not in methods: methods = ['uniform'] + methods
        n_train = None if a.n_train <= 0 else a.n_train
        specs = [Spec(a.data, float(a.noise), n_train, a.model, m, 0, batch_size=batch_size(a.data)) for m in methods]
        n = len(load_data(a.data, float(a.noise), n_train, a.model == 'cnn').train)
        df = timing(specs, a.rounds, int(a.epochs * n))
        out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
        med = df.groupby('method', sort=False).time_per_sample.median()
        q = df.groupby('method', sort=False).time_per_sample.quantile([0.25, 0.75]).unstack()
        tab = pd.DataFrame({'us_per_sample': 1e6 * med, 'x_uniform': med / med['uniform'],
                            'iqr_x': (q[0.75] - q[0.25]) / med['uniform']})
        df.to_csv(out / 'timing.csv', index=False)
        cmd = 'OMP_NUM_THREADS=1 python benchmarks/bench_selection.py ' + shlex.join(sys.argv[1:] if argv is None else argv)
        (out / 'timing.md').write_text(f"Command: `{cmd}`\n\nMachine: {machine()}\n\n" + _md_table(tab) + '\n')
        print(tab.to_string()); return
    if a.jobs > 2: raise SystemExit("--jobs: at most 2 runs at once on this machine")
    methods = [m for m in a.methods.split(',') if m]
    if 'uniform' not in methods: methods = ['uniform'] + methods
    n_train = None if a.n_train <= 0 else a.n_train
    seeds = [int(s) for s in a.seeds.split(',')]
    groups = [[Spec(a.data, float(nz), n_train, a.model, m, s, a.budget, batch_size(a.data), n_evals=a.evals)
               for m in methods] for nz in a.noise.split(',') for s in seeds]
    specs = interleaved(groups)
    meta = {'command': 'OMP_NUM_THREADS=1 python benchmarks/bench_selection.py ' + shlex.join(sys.argv[1:] if argv is None else argv),
            'machine': machine()}
    try:
        store = PartialRuns(a.out, a.resume)   # each finished run, so that an interrupted call loses none (--resume)
        todo = store.start(specs)
    except LeftoverRuns as e: raise SystemExit(str(e)) from None
    if store.n_resumed: meta['resumed_runs'] = store.n_resumed
    print(f"{len(specs)} runs ({store.n_resumed} kept from an interrupted call), {a.jobs} at a time -> {a.out}", flush=True)
    t0 = time.perf_counter()
    def done(spec, res):
        store.add(spec, res)
        m = res['metric']
        print(f"[{len(store.done)}/{len(specs)}] {res['dataset']} {res['method']} seed {res['seed']}: val {m} {res[f'final_val_{m}']:.4f} "
              f"test {res[f'final_test_{m}']:.4f} noisy {res['noisy_share']:.3f} {res['train_time']:.1f} s "
              f"({time.perf_counter() - t0:.0f} s elapsed)", flush=True)
    if a.jobs <= 1:
        for s in todo: done(s, run_one(s))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(a.jobs, mp_context=mp.get_context('spawn'), initializer=exit_with_parent, initargs=(os.getpid(),)) as ex:
            for s, res in zip(todo, ex.map(run_one, todo)): done(s, res)
    meta['elapsed_min'] = (time.perf_counter() - t0) / 60
    results = store.results(specs)   # in spec order, whichever call finished them
    curves = pd.concat([r['history'] for r in results], ignore_index=True)
    summ = write(Path(a.out), pd.DataFrame([{k: v for k, v in r.items() if k != 'history'} for r in results]), curves, meta, a.split)
    store.clear()
    print(markdown(summ, a.split))


if __name__ == '__main__':
    main()
