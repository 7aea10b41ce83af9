"""Benchmark of `aql_nb.streaming.StreamingAQL`: bookkeeping throughput and peak memory.

    python benchmarks/bench_streaming.py            # 10^7 scores, buffer 10^4 (about a minute on 2 cores)
    python benchmarks/bench_streaming.py --quick    # 10^6 scores

1. Throughput: the same stream of random float32 scores (chunks carry one int64 id per sample,
   so the sample store is exercised too) is kept at its exact top-`buffer` three ways, all in this
   run: `StreamingAQL.process_chunk` at several chunk sizes (only the calls are timed; the scores
   exist beforehand), a `heapq` loop (a min-heap of `(score, -position)`, one Python step per
   score, the classic streaming top-k), and a full stable sort of the whole stream (not streaming:
   it holds every score). All three must select the same positions. Also: the weighted samplers
   ('es', 'priority') and an adversarial stream whose scores only rise (every chunk enters the
   buffer).
2. Memory: each stream length runs in a fresh subprocess that generates its scores chunk by chunk,
   so nothing but the selector holds them. Method: resident set size (RSS) from /proc: after imports
   and a warm-up the kernel's peak-RSS mark is reset (`echo 5 > /proc/self/clear_refs`), and the
   row reports the peak (VmHWM) at the end minus the RSS at the reset; tracemalloc cannot see
   torch's allocations. `nbytes()` (exact bytes of the selector's
   tensors) is printed beside it. The full sort of the same stream is measured the same way.
"""
import argparse, heapq, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import torch
from aql_nb.streaming import StreamingAQL


def rss_kb() -> int:
    "Current resident set size in kB (Linux /proc)."
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') // 1024


def make_stream(n: int, chunk: int, seed: int = 0, rising: bool = False):
    g = torch.Generator().manual_seed(seed)
    scores = torch.arange(n, dtype=torch.float32) if rising else torch.rand(n, generator=g)
    return list(torch.split(scores, chunk)), list(torch.split(torch.arange(n), chunk))


def run_streaming(chunks, ids, k, sampling='topk'):
    sel = StreamingAQL(buffer_size=k, sampling=sampling, seed=0)
    t = 0.0
    for s, i in zip(chunks, ids):
        t0 = time.perf_counter(); sel.process_chunk(i, scores=s); t += time.perf_counter() - t0
    return t, sel


def run_heapq(chunks, k):
    t0 = time.perf_counter()
    heap, base = [], 0
    for c in chunks:
        for j, s in enumerate(c.tolist()):
            item = (s, -(base + j))
            if len(heap) < k: heapq.heappush(heap, item)
            elif item > heap[0]: heapq.heapreplace(heap, item)
        base += len(c)
    return time.perf_counter() - t0, sorted(-p for _, p in heap)


def run_sort(chunks, k):
    t0 = time.perf_counter()
    allscores = torch.cat(chunks)
    top = torch.sort(allscores, descending=True, stable=True).indices[:k]
    return time.perf_counter() - t0, sorted(top.tolist())


def throughput(n, k, chunk_sizes):
    print(f'== Throughput: {n:,} scores, buffer {k:,}, torch threads {torch.get_num_threads()} ==')
    chunks, ids = make_stream(n, 16384)
    t_heap, ref = run_heapq(chunks, k)
    t_sort, ref_sort = run_sort(chunks, k)
    assert ref == ref_sort, 'heapq and sort disagree'
    rows = [('heapq loop (baseline)', t_heap), ('full stable sort (holds all scores)', t_sort)]
    for c in chunk_sizes:
        chunks, ids = make_stream(n, c)
        t, sel = run_streaming(chunks, ids, k)
        assert sorted(sel.positions[:len(sel)].tolist()) == ref, f'StreamingAQL(chunk {c}) disagrees with heapq'
        rows.append((f'StreamingAQL topk, chunk {c:,}', t))
    chunks, ids = make_stream(n, 16384)
    for sampling in ('es', 'priority'):
        t, _ = run_streaming(chunks, ids, k, sampling)
        rows.append((f'StreamingAQL {sampling}, chunk 16,384', t))
    chunks, ids = make_stream(n, 16384, rising=True)
    t, sel = run_streaming(chunks, ids, k)
    assert sorted(sel.positions[:len(sel)].tolist()) == list(range(n - k, n))
    rows.append(('StreamingAQL topk, chunk 16,384, rising scores (worst case)', t))
    print(f"{'method':<62}{'seconds':>9}{'Mscores/s':>11}{'vs heapq':>10}")
    for name, t in rows: print(f'{name:<62}{t:>9.3f}{n / t / 1e6:>11.1f}{t_heap / t:>9.1f}x')
    print('(all topk runs select the same positions as heapq and the sort)')


def peak_rss_kb() -> int:
    "Peak resident set size since the last reset (VmHWM), in kB."
    with open('/proc/self/status') as f:
        return int(next(l for l in f if l.startswith('VmHWM')).split()[1])


def memory_child(n, k, chunk, mode):
    "Runs in a subprocess: stream n scores generated chunk by chunk; print the RSS growth as JSON."
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    warm = StreamingAQL(buffer_size=16)   # warm up torch's kernels with a tiny selector (its memory is not the point)
    for i in range(3): warm.process_chunk(torch.arange(64), scores=torch.rand(64, generator=g))
    del warm
    with open('/proc/self/clear_refs', 'w') as f: f.write('5')   # reset the peak (VmHWM) to the current RSS
    base, sampled = rss_kb(), 0
    if mode == 'stream':
        sel, done = StreamingAQL(buffer_size=k), 0
        while done < n:
            m = min(chunk, n - done)
            sel.process_chunk(torch.arange(done, done + m), scores=torch.rand(m, generator=g)); done += m
            sampled = max(sampled, rss_kb())
        extra = sel.nbytes()
    else:
        parts, done = [], 0
        while done < n:
            m = min(chunk, n - done); parts.append(torch.rand(m, generator=g)); done += m
        top = torch.sort(torch.cat(parts), descending=True, stable=True).indices[:k]
        sampled = rss_kb()
        extra = sum(p.numel() * 4 for p in parts)
    print(json.dumps({'base_kb': base, 'peak_kb': peak_rss_kb(), 'sampled_max_kb': sampled, 'tensor_bytes': extra}))


def memory(lengths, k, chunk=16384):
    print(f'\n== Peak memory while streaming, buffer {k:,}, chunks of {chunk:,} (fresh process per row) ==')
    print('RSS growth = peak RSS during the stream (VmHWM, reset after imports and warm-up) - RSS at that reset')
    print(f"{'method':<34}{'stream length':>15}{'RSS growth MiB':>16}{'tensors MiB':>13}")
    for mode in ('stream', 'sort'):
        for n in lengths:
            out = subprocess.run([sys.executable, __file__, '--child', mode, str(n), str(k), str(chunk)],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            name = 'StreamingAQL (topk)' if mode == 'stream' else 'full sort (holds every score)'
            print(f"{name:<34}{n:>15,}{(r['peak_kb'] - r['base_kb']) / 1024:>16.1f}{r['tensor_bytes'] / 2**20:>13.2f}")


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--child':
        memory_child(int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[2]); sys.exit()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='10^6 scores instead of 10^7')
    ap.add_argument('--n', type=int, default=None, help='stream length for the throughput runs')
    ap.add_argument('--buffer', type=int, default=10_000)
    ap.add_argument('--threads', type=int, default=None, help='torch intra-op threads (default: torch\'s own choice)')
    ap.add_argument('--skip-memory', action='store_true')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    n = a.n or (10**6 if a.quick else 10**7)
    print(f'torch {torch.__version__}, {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), python {sys.version.split()[0]}, '
          f'load average {os.getloadavg()[0]:.1f}')
    throughput(n, a.buffer, [1024, 16384, 131072])
    if not a.skip_memory: memory([10**5, 10**6] if a.quick else [10**5, 10**6, 10**7], a.buffer)
