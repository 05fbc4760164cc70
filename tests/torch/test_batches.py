"""Window batches (_torch/batches.py): shuffled passes, budgets that span passes,
resumed passes."""

import torch

from sklearn_rnnmemory._torch.batches import BatchOrder, WindowBatches


def test_batches_shuffle_every_pass_and_cover_every_window():
    dataset = torch.utils.data.TensorDataset(torch.arange(10.0))
    dataset.X, dataset.y = torch.arange(10.0)[:, None], torch.arange(10.0)
    torch.manual_seed(0)
    batches = WindowBatches(dataset, batch_size=4, shuffle=True)
    passes = [torch.cat([y for _, y in batches]) for _ in range(2)]
    for seen in passes:
        assert sorted(seen.tolist()) == list(range(10))
    assert passes[0].tolist() != passes[1].tolist()
    assert [len(x) for x, _ in WindowBatches(dataset, batch_size=4)] == [4, 4, 2]


def test_batch_budget_spans_passes():
    dataset = torch.utils.data.TensorDataset(torch.arange(10.0))
    dataset.X, dataset.y = torch.arange(10.0)[:, None], None
    batches = WindowBatches(dataset, batch_size=4, max_batches=5)
    assert [len(list(batches)) for _ in range(3)] == [3, 2, 0]


def test_batch_order_resumes_a_pass_cut_short():
    # 10 windows in batches of 4: 3 batches a pass. Drawn in calls of 2, 3 and
    # 2 batches, they are the batches of one run of 7.
    def draws(budgets):
        torch.manual_seed(0)
        order, batches = BatchOrder(4), []
        for budget in budgets:
            order.budget = budget
            for _ in range(order.passes_for(budget, 10)):
                batches += [index.tolist() for index in order.next_pass(10)]
        return batches

    whole = draws([7])
    assert draws([2, 3, 2]) == whole
    assert [len(b) for b in whole] == [4, 4, 2] * 2 + [4]
    # the first pass is the permutation torch.randperm draws at that point
    torch.manual_seed(0)
    assert sum(whole[:3], []) == torch.randperm(10).tolist()
    assert BatchOrder(4).passes_for(7, 10) == 3
