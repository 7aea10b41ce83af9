"""Host synchronisations per optimiser step on the Hugging Face path: plain `transformers.Trainer` vs `AQLTrainer`.

    python benchmarks/bench_hf_syncs.py [--steps 200] [--logging-steps 50]

Counts calls of `Tensor.item/tolist/cpu/__bool__/__float__/__int__` (`aql_nb.core.HostSyncCounter`) during
`trainer.train()` of a tiny GPT-2 (2 x 32, vocabulary 256, 32 tokens, batch 16) on the embedded text, on the CPU,
where each such call stands for a sync a GPU would pay. The plain Trainer's own count (its logging and loss
bookkeeping) is the floor; AQL's extra syncs per step are the difference.
"""
import argparse, sys, tempfile
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))

import torch
import transformers
from transformers import Trainer, TrainingArguments
from aql_nb.core import HostSyncCounter
from aql_nb.data import hf_blocks, load_shakespeare_lm
from aql_nb.hf import AQLTrainer
from aql_nb.models import tiny_gpt2


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--steps', type=int, default=200); ap.add_argument('--logging-steps', type=int, default=50)
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    train, _, _ = load_shakespeare_lm(block_size=32)
    data = hf_blocks(torch.utils.data.Subset(train, range(16 * a.steps)))
    rows = []
    for name, aql in (('plain Trainer', None), ('AQL uniform', {'selection': {'strategy': 'uniform'}}),
                      ('AQL cached', {'selection_mode': 'cached'}), ('AQL InfoBatch', {'selection': {'strategy': 'infobatch'}})):
        with tempfile.TemporaryDirectory() as out:
            args = TrainingArguments(output_dir=out, per_device_train_batch_size=16, max_steps=a.steps, learning_rate=1e-3,
                                     logging_steps=a.logging_steps, report_to=[], save_strategy='no', use_cpu=True,
                                     disable_tqdm=True, seed=0)
            model = tiny_gpt2(256, block_size=32, n_layer=2, n_head=2, n_embd=32, seed=0)
            t = Trainer(model, args, train_dataset=data) if aql is None else AQLTrainer(model, args, train_dataset=data, aql=aql)
            t.remove_callback(transformers.PrinterCallback)
            with HostSyncCounter() as hs: t.train()
            rows.append((name, hs.total / t.state.global_step, t.state.global_step))
    base = rows[0][1]
    print(f"{'trainer':<16} {'syncs/step':>10} {'extra vs plain':>15} {'steps':>6}")
    for name, s, n in rows: print(f"{name:<16} {s:>10.3f} {s - base:>+15.3f} {n:>6}")


if __name__ == '__main__':
    main()
