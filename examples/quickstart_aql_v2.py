"""AQL v2.0 quick start, runnable: the uniform baseline and AQL side by side on the embedded digits data.

    python examples/quickstart_aql_v2.py                 # the same job as the `aql_quickstart` command
    python examples/quickstart_aql_v2.py --mode cached --ratio 0.5 --epochs 5

It trains a small MLP twice with the same budget of trained samples (10 passes' worth of the
training set): once uniformly (`selection_mode='off'`) and once with AQL (online mode by default:
the most uncertain quarter, by last-layer Laplace BALD, of candidate batches four times the batch),
prints samples seen, wall time and validation accuracy for both, and saves the comparison plot
(`aql_quickstart_out/quickstart_comparison.png`). The logic lives in `aql_nb.cli.quickstart`; in
the seed's own words, each of the two runs is:

    from aql_nb.trainer import AQLv2Trainer          # was: experiments.aql_v2.aql_v2_trainer

    config = {
        'learning_rate': 3e-3,                       # the seed's example: 1e-4
        'use_curriculum_selection': False,           # --curriculum turns it on
        'warmup_ratio': 0.2,
        'pacing_function': 'root',
        'selection_mode': 'online',                  # 'off' for the uniform baseline
        'selection_ratio': 0.25,
        'uncertainty_method': 'bald',
    }
    trainer = AQLv2Trainer(model=your_model, train_loader=train_loader, val_loader=val_loader, config=config)
    results = trainer.train(max_samples=10 * len(train_ds))   # the seed: trainer.train(epochs=10)
    print(f"Best validation accuracy: {results['best_val_acc']:.4f}")
"""
from aql_nb.cli import quickstart_main

if __name__ == '__main__':
    quickstart_main()
