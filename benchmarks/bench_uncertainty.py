#!/usr/bin/env python
"""Cost of `aql_nb.uncertainty.LaplacianUncertainty`, as ratios to baselines measured in the same run.

    python benchmarks/bench_uncertainty.py            # full: classifier, LM head (512 tokens), 10/100/600 classes
    python benchmarks/bench_uncertainty.py --quick    # fewer repetitions, 256 LM tokens, a shorter laplace-torch budget
    python benchmarks/bench_uncertainty.py --threads 1 --clock cpu  # one thread, CPU time (for a shared machine, below)

Sections (each number is a median over interleaved repetitions after warm-up, by `time.perf_counter`,
or `time.process_time` with `--clock cpu`; torch's default thread count unless `--threads`):

1. Overhead at classifier size (MLP 784-512-512-10, batch 128) and LM-head size (a vocabulary
   50257 x width 768 head on its own, features that need grad as if a body were below it): the
   Fisher update that reuses the training forward (and every 10 steps), the seed's
   `update_fisher` with its own forward, and scoring (forward + `scores_from`) relative to a
   plain no-grad forward; MC dropout with 10 passes for comparison.
2. Peak memory of the Fisher update and of entropy scoring at the LM-head size, with automatic
   vocabulary chunking and with one chunk (no chunking), each in a fresh subprocess.
3. laplace-torch's last-layer diagonal Laplace (fit on 1024 samples + probit predict on 256) vs
   this module (`update_fisher` + `predictive`) at 10, 100 and 600 classes, each in a subprocess
   under a time budget and an address-space limit, reported as "> budget" / "> limit" if exceeded.

On a machine whose cores are busy with other work, torch's multi-threaded kernels wait for
descheduled threads and small operations slow down by 10-100x at random; the timings are then
noise. The load average is printed at the start and the end; compare ratios only from a quiet
machine, or use `--threads 1 --clock cpu` (CPU seconds of one thread are not inflated by waiting).
"""
import argparse, json, os, resource, statistics, subprocess, sys, time
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from aql_nb.uncertainty import LaplacianUncertainty, UNCERTAINTY_METHODS


CLOCK = time.perf_counter  # --clock cpu: time.process_time (CPU seconds of this process, all threads)


def interleaved_medians(fns: dict, reps: int, warmup: int = 2) -> dict:
    "Median wall-clock seconds of each `fns[k]()`, timed round-robin so that a change in machine load hits all alike."
    for f in fns.values():
        for _ in range(warmup): f()
    ts = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items():
            t = CLOCK(); f(); ts[k].append(CLOCK() - t)
    return {k: statistics.median(v) for k, v in ts.items()}


def fmt_t(s: float) -> str: return f"{s * 1e3:9.2f} ms" if s < 10 else f"{s:9.1f} s "


# ---------------------------------------------------------------- 1. overhead
def overhead(model: nn.Module, x: torch.Tensor, y: torch.Tensor, reps: int, max_rows: int | None = None,
             mc_model: nn.Module | None = None) -> list[tuple[str, float, float, str]]:
    "Rows (what, seconds, ratio, baseline) for one model size."
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: identical work, the model stays fixed
    unc = LaplacianUncertainty(model, n_eff=60000)
    x_in = x.requires_grad_(x.is_floating_point() and x.dim() == 2 and isinstance(model, HeadOnly))

    def step():
        opt.zero_grad(set_to_none=True)
        if x_in.grad is not None: x_in.grad = None
        F.cross_entropy(model(x_in), y).backward(); opt.step()

    def step_capture():
        with unc.capture(): step()

    step_capture()  # fills last_features / last_logits and warms up
    feats, logits = unc.last_features, unc.last_logits
    unc.update_fisher_from(feats, logits, y)

    fns = {'step': step, 'step_cap': step_capture, 'fisher': lambda: unc.update_fisher_from(feats, logits, y),
           'update': lambda: unc.update_fisher(x, y)}
    if max_rows is not None: fns['sub'] = lambda: unc.update_fisher_from(feats, logits, y, max_rows=max_rows)
    t = interleaved_medians(fns, reps)
    t_step, t_step_cap, t_fisher, t_update = t['step'], t['step_cap'], t['fisher'], t['update']
    amort = lambda t_upd: (max(t_step_cap - t_step, 0.0) + t_upd) / 10
    rows = [('train step: forward + backward + SGD', t_step, 1.0, 'step'),
            ('  same step inside capture()', t_step_cap, t_step_cap / t_step, 'step'),
            ("Fisher update from the step's forward", t_fisher, t_fisher / t_step, 'step'),
            ('  amortised: capture + update every 10 steps', amort(t_fisher), amort(t_fisher) / t_step, 'step')]
    if max_rows is not None:
        rows += [(f'Fisher update on {max_rows} of {len(y)} rows (max_rows)', t['sub'], t['sub'] / t_step, 'step'),
                 ('  amortised: capture + that update every 10 steps', amort(t['sub']), amort(t['sub']) / t_step, 'step')]
    rows.append(('update_fisher(x, y): own no-grad forward', t_update, t_update / t_step, 'step'))

    model.eval()
    def fwd():
        with torch.no_grad(): model(x)
    def scorer(m):
        def score():
            with torch.no_grad(), unc.capture(): model(x)
            unc.scores_from(unc.last_features, unc.last_logits, m)
        return score
    fns = {'fwd': fwd, **{m: scorer(m) for m in UNCERTAINTY_METHODS}}
    if mc_model is not None:
        mc_model.train()  # dropout on
        def mc():
            with torch.no_grad():
                p = torch.stack([mc_model(x).softmax(-1) for _ in range(10)])
                pm = p.mean(0)
                -(pm * pm.clamp_min(1e-12).log()).sum(-1) + (p * p.clamp_min(1e-12).log()).sum(-1).mean(0)  # BALD
        fns['mc'] = mc
    t = interleaved_medians(fns, reps)
    rows.append(('no-grad forward (eval)', t['fwd'], 1.0, 'fwd'))
    rows += [(f'forward + scores_from({m!r})', t[m], t[m] / t['fwd'], 'fwd') for m in UNCERTAINTY_METHODS]
    if mc_model is not None: rows.append(('MC dropout: 10 forwards + BALD', t['mc'], t['mc'] / t['fwd'], 'fwd'))
    model.train()
    return rows


class HeadOnly(nn.Module):
    "An LM head on its own: features in, logits out (the worst case: no body to amortise the head's cost)."
    def __init__(self, width: int, vocab: int):
        super().__init__(); self.head = nn.Linear(width, vocab)
    def forward(self, feats): return self.head(feats)


def mlp(dropout: float = 0.0) -> nn.Module:
    layers = [nn.Linear(784, 512), nn.ReLU(), nn.Dropout(dropout), nn.Linear(512, 512), nn.ReLU(), nn.Dropout(dropout), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def print_rows(title: str, rows):
    print(f"\n{title}")
    print(f"  {'what':<52} {'median':>12}   ratio")
    for what, t, r, base in rows:
        pct = f"  ({100 * r:.2f}% of a step)" if 'amortised' in what else ''
        print(f"  {what:<52} {fmt_t(t)}   {r:6.3f}x {base}{pct}")


# ---------------------------------------------------------------- subprocess workers
def _status_mb(key: str) -> float:
    for line in open('/proc/self/status'):
        if line.startswith(key + ':'): return int(line.split()[1]) / 1024
    return float('nan')

def _reset_peak() -> float:
    "Reset the process's peak RSS (Linux: write 5 to /proc/self/clear_refs); return the current RSS in MB."
    with open('/proc/self/clear_refs', 'w') as f: f.write('5')
    return _status_mb('VmRSS')

def _peak_extra_mb(rss_before: float) -> float: return _status_mb('VmHWM') - rss_before


def worker_lm_memory(tokens: int, chunk: int | None, what: str) -> dict:
    torch.manual_seed(0)
    model = HeadOnly(768, 50257)
    feats = torch.randn(tokens, 768)
    with torch.no_grad(): logits = model(feats)
    unc = LaplacianUncertainty(model, n_eff=1e6, vocab_chunk=chunk)
    unc.update_fisher_from(feats[:8], logits[:8]); unc.posterior_variance  # state and cached posterior allocated
    before = _reset_peak(); t = CLOCK()
    if what == 'fisher': unc.update_fisher_from(feats, logits)
    else: unc.scores_from(feats, logits, 'entropy')
    return {'seconds': CLOCK() - t, 'peak_extra_mb': _peak_extra_mb(before), 'logits_mb': logits.numel() * 4 / 2**20}


def _setup_ll(n_classes: int, n_train: int = 1024, n_test: int = 256, width: int = 128):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, n_classes))
    x, y, xt = torch.randn(n_train, 64), torch.randint(0, n_classes, (n_train,)), torch.randn(n_test, 64)
    return model, x, y, xt


def worker_laplace(n_classes: int, batch: int) -> dict:
    from laplace import Laplace
    from torch.utils.data import DataLoader, TensorDataset
    model, x, y, xt = _setup_ll(n_classes)
    before = _reset_peak(); t = CLOCK()
    la = Laplace(model, 'classification', subset_of_weights='last_layer', hessian_structure='diag')
    la.fit(DataLoader(TensorDataset(x, y), batch_size=batch))
    t_fit = CLOCK() - t; t = CLOCK()
    with torch.no_grad():
        for xb in xt.split(batch): la(xb, link_approx='probit')
    return {'fit_s': t_fit, 'predict_s': CLOCK() - t, 'peak_extra_mb': _peak_extra_mb(before)}


def worker_ours(n_classes: int, batch: int) -> dict:
    model, x, y, xt = _setup_ll(n_classes)
    before = _reset_peak(); t = CLOCK()
    unc = LaplacianUncertainty(model, n_eff=len(x))
    for xb, yb in zip(x.split(batch), y.split(batch)): unc.update_fisher(xb, yb)
    t_fit = CLOCK() - t; t = CLOCK()
    for xb in xt.split(batch): unc.predictive(xb)
    return {'fit_s': t_fit, 'predict_s': CLOCK() - t, 'peak_extra_mb': _peak_extra_mb(before)}


def run_worker(args: list[str], budget_s: float, mem_limit_gb: float) -> dict:
    "Run this script as a worker in a fresh process with a time budget and an address-space limit."
    cmd = [sys.executable, __file__, '--worker', *args, '--mem-limit-gb', str(mem_limit_gb), '--threads', str(torch.get_num_threads()),
           '--clock', 'cpu' if CLOCK is time.process_time else 'wall']
    env = {**os.environ, 'MALLOC_MMAP_THRESHOLD_': str(1 << 20)}  # big blocks go back to the OS when freed: RSS tracks live memory
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=budget_s, env=env)
    except subprocess.TimeoutExpired:
        return {'error': f'> {budget_s:.0f} s (stopped)'}
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f'exit {out.returncode}'
        if 'MemoryError' in tail or 'alloc' in tail.lower() or out.returncode in (-9, 137):
            return {'error': f'> {mem_limit_gb:.0f} GB limit ({tail[:60]})'}
        return {'error': tail[:100]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='fewer repetitions and tokens, shorter laplace-torch budget')
    ap.add_argument('--budget', type=float, default=None, help='seconds allowed per laplace-torch run (default 60, quick 30)')
    ap.add_argument('--mem-limit-gb', type=float, default=6.0, help='address-space limit of each subprocess')
    ap.add_argument('--threads', type=int, default=None, help="torch threads (default: torch's default)")
    ap.add_argument('--clock', choices=('wall', 'cpu'), default='wall',
                    help="'wall': time.perf_counter; 'cpu': time.process_time, robust to other processes with --threads 1")
    ap.add_argument('--worker', nargs='+', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    global CLOCK
    if a.clock == 'cpu': CLOCK = time.process_time

    if a.worker:  # subprocess mode: limit memory, run one measurement, print JSON
        lim = int((a.mem_limit_gb + 2) * 2**30)  # + 2 GB for torch's own mappings
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
        kind, *rest = a.worker
        if kind == 'lm_memory': res = worker_lm_memory(int(rest[0]), None if rest[1] == 'none' else int(rest[1]), rest[2])
        elif kind == 'laplace': res = worker_laplace(int(rest[0]), int(rest[1]))
        else: res = worker_ours(int(rest[0]), int(rest[1]))
        print(json.dumps(res)); return

    budget = a.budget or (30.0 if a.quick else 60.0)
    reps_small, reps_lm, tokens = (15, 3, 256) if a.quick else (40, 5, 512)
    t0 = time.perf_counter()
    print(f"bench_uncertainty: torch {torch.__version__}, {torch.get_num_threads()} threads, {a.clock} clock, "
          f"load average {os.getloadavg()[0]:.1f} at start{' (--quick)' if a.quick else ''}")

    torch.manual_seed(0)
    x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
    print_rows('1a. classifier: MLP 784-512-512-10, batch 128', overhead(mlp(), x, y, reps_small, mc_model=mlp(0.1)))

    feats, yl = torch.randn(tokens, 768), torch.randint(0, 50257, (tokens,))
    print_rows(f'1b. LM head alone: vocabulary 50257 x width 768, {tokens} tokens (worst case: no body)',
               overhead(HeadOnly(768, 50257), feats, yl, reps_lm, max_rows=tokens // 16))

    print(f"\n2. peak memory at the LM head, {tokens} tokens (fresh process each; logits themselves: {tokens * 50257 * 4 / 2**20:.0f} MB)")
    print(f"  {'what':<52} {'time':>12}   extra peak RSS")
    for what in ('fisher', 'entropy'):
        for chunk, label in ((None, 'auto chunks'), (50257, 'one chunk')):
            r = run_worker(['lm_memory', str(tokens), 'none' if chunk is None else str(chunk), what], 300, a.mem_limit_gb)
            name = f"{'update_fisher_from' if what == 'fisher' else 'scores_from(entropy)'}, {label}"
            print(f"  {name:<52} " + (r['error'] if 'error' in r else f"{fmt_t(r['seconds'])}   {r['peak_extra_mb']:7.0f} MB"))

    print(f"\n3. last-layer diagonal Laplace, width 128, fit on 1024 samples + probit predict on 256, batch 32 "
          f"(fresh process each, budget {budget:.0f} s, limit {a.mem_limit_gb:.0f} GB)")
    print(f"  {'classes':>7}  {'laplace-torch fit':>17} {'predict':>9} {'peak MB':>8}   {'this fit':>9} {'predict':>9} {'peak MB':>8}   {'time ratio':>10}")
    for c in (10, 100, 600):
        lt = run_worker(['laplace', str(c), '32'], budget, a.mem_limit_gb)
        ours = run_worker(['ours', str(c), '32'], budget, a.mem_limit_gb)
        o = f"{ours['fit_s']:8.3f}s {ours['predict_s']:8.3f}s {ours['peak_extra_mb']:8.0f}" if 'error' not in ours else ours['error']
        if 'error' in lt:
            print(f"  {c:>7}  {lt['error']:>36}   {o}")
        else:
            ratio = (lt['fit_s'] + lt['predict_s']) / (ours['fit_s'] + ours['predict_s']) if 'error' not in ours else float('nan')
            print(f"  {c:>7}  {lt['fit_s']:16.3f}s {lt['predict_s']:8.3f}s {lt['peak_extra_mb']:8.0f}   {o}   {ratio:9.1f}x")
    print(f"\nTargets: scoring <= 1.2x a no-grad forward; Fisher update every 10 steps <= 1% of a step.")
    print(f"total {time.perf_counter() - t0:.0f} s, load average {os.getloadavg()[0]:.1f} at end")


if __name__ == '__main__':
    main()
