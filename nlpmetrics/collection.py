"""Several metrics fed by one stream of batches: ``nm.load_many(["accuracy", "f1_macro"])``.

An evaluation loop usually wants a handful of numbers from the same
predictions.  A :class:`MetricCollection` takes each batch once: the arrays
are converted once (tensors, Series...), the lengths checked once, and the
metrics that convert their inputs the same way (every classification metric
turns labels into the same codes: their :meth:`~nlpmetrics.base.Metric.conversion_key`
is equal) share one conversion.  Each metric then adds its own statistics
rows, so every result is exactly the one the metric alone would give.

A batch is checked by every metric before any keeps it: when one refuses
it, no metric keeps any of it.  ``sync`` gathers every metric's state in one
collective call.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nlpmetrics.base import Metric
from nlpmetrics.errors import InputError
from nlpmetrics.options import check_bool
from nlpmetrics.rows import Rows
from nlpmetrics.validation import as_sequence, check_same_length

if TYPE_CHECKING:
    from nlpmetrics.result import Result
    from nlpmetrics.state import StatePart

__all__ = ["MetricCollection", "load_many"]

#: Options that a metric which does not declare them ignores in ``load_many`` (the language of the texts).
IGNORABLE_OPTIONS = ("lang",)


class MetricCollection(Mapping[str, Metric]):
    """Named metrics updated together; ``compute()`` returns ``{name: Result}``.

    Make one with :func:`nlpmetrics.load_many`.  It is a read-only mapping of
    the names it was given (``"f1_macro"``) to the configured metrics, so
    ``collection["f1_macro"]`` is the metric and iteration gives the names.

    Parameters
    ----------
    metrics : mapping of str to Metric
        The metrics, under the names their results are returned with.
    """

    def __init__(self, metrics: Mapping[str, Metric]) -> None:
        if not isinstance(metrics, Mapping) or not metrics:
            raise InputError("a metric collection needs at least one metric, e.g. nm.load_many(['accuracy'])",
                             argument="metrics")
        for key, metric in metrics.items():
            if not isinstance(key, str) or not isinstance(metric, Metric):
                raise InputError(f"a metric collection maps names to metrics; {key!r} maps to "
                                 f"{type(metric).__name__}", argument="metrics")
        if len({id(m) for m in metrics.values()}) != len(metrics):
            raise InputError("the same metric object appears twice in the collection: every example would count "
                             "twice for it; load one metric per name", argument="metrics")
        self._metrics: dict[str, Metric] = dict(metrics)

    # ------------------------------------------------------------------ mapping
    def __getitem__(self, key: str) -> Metric:
        """Return the metric named ``key``; an unknown key names the metrics held."""
        try:
            return self._metrics[key]
        except KeyError:
            raise KeyError(f"no metric {key!r} in this collection (it holds {', '.join(self._metrics)})") from None

    def __iter__(self) -> Iterator[str]:
        """Iterate over the metric names, in order."""
        return iter(self._metrics)

    def __len__(self) -> int:
        """Return the number of metrics."""
        return len(self._metrics)

    def __repr__(self) -> str:
        """Show the metric names."""
        return f"<MetricCollection {', '.join(self._metrics)}>"

    # ------------------------------------------------------------------ streaming
    def rows_for(self, *, predictions: Any, references: Any,
                 warnings_of: dict[str, list[warnings.WarningMessage]] | None = None) -> dict[str, Rows]:
        """Validate a batch once and return every metric's statistics rows, without touching any state.

        With ``warnings_of`` (a dict), the warnings each metric raises are
        recorded there under its name instead of being raised (a report says
        which metric warned); the caller re-raises them if it wants.
        """
        predictions = as_sequence(predictions, "predictions")
        references = as_sequence(references, "references")
        check_same_length(predictions, references)
        if len(predictions) == 0:
            return {key: Rows(origin=metric.provenance) for key, metric in self._metrics.items()}
        converted: dict[Hashable, tuple[Any, Any]] = {}
        out: dict[str, Rows] = {}
        for key, metric in self._metrics.items():
            if warnings_of is None:
                out[key] = self._rows_of(metric, predictions, references, converted)
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out[key] = self._rows_of(metric, predictions, references, converted)
            warnings_of.setdefault(key, []).extend(caught)
        return out

    def check(self, *, predictions: Any, references: Any) -> None:
        """Validate a batch as :meth:`update` would (conversions shared), without computing statistics.

        Nothing is kept and no model runs (BERTScore checks its texts only):
        what a command line uses to name a bad line before any scoring starts.
        """
        predictions = as_sequence(predictions, "predictions")
        references = as_sequence(references, "references")
        check_same_length(predictions, references)
        if len(predictions) == 0:
            return
        converted: dict[Hashable, tuple[Any, Any]] = {}
        for metric in self._metrics.values():
            conversion = metric.conversion_key()
            if conversion is None:
                metric.check_inputs(predictions, references)
                continue
            if conversion not in converted:
                converted[conversion] = metric.convert_inputs(predictions, references)
            metric.check_converted(*converted[conversion])

    @staticmethod
    def _rows_of(metric: Metric, predictions: Sequence, references: Sequence,
                 converted: dict[Hashable, tuple[Any, Any]]) -> Rows:
        """One metric's rows of a batch, through the conversion it shares with others (made once, in ``converted``)."""
        conversion = metric.conversion_key()
        if conversion is None:
            return metric.rows_of_checked(*metric.check_inputs(predictions, references))
        if conversion not in converted:
            converted[conversion] = metric.convert_inputs(predictions, references)
        return metric.rows_of_checked(*metric.check_converted(*converted[conversion]))

    def update(self, *args: Any, predictions: Any = None, references: Any = None) -> MetricCollection:
        """Add a batch to every metric (converted and checked once); returns ``self``.

        Parameters
        ----------
        predictions, references : sequence
            Keyword-only, one entry per example: lists, numpy arrays, torch
            tensors (any device), pandas Series or anything with
            ``__array__``.  The values are copied.

        Raises
        ------
        InputError
            When any metric refuses the batch; then no metric keeps any of it.
        """
        if args:
            raise TypeError(
                "MetricCollection.update() takes predictions= and references= as keywords only (positional "
                "order differs between libraries and a swapped pair gives a wrong number silently); call "
                "update(predictions=..., references=...)"
            )
        rows = self.rows_for(predictions=predictions, references=references)  # every metric checks first
        for key, metric in self._metrics.items():
            metric.add_rows(rows[key])
        return self

    def add_rows(self, rows: Mapping[str, Rows]) -> MetricCollection:
        """Add each metric's rows (from :meth:`rows_for` of a collection like this one); returns ``self``."""
        self._check_keys(rows, "rows")
        for key, metric in self._metrics.items():
            metric.check_rows(rows[key])
        for key, metric in self._metrics.items():
            metric.add_rows(rows[key])
        return self

    def merge(self, other: MetricCollection) -> MetricCollection:
        """Fold in another worker's collection (same names, metrics and options); returns ``self``."""
        if not isinstance(other, MetricCollection):
            raise InputError(f"cannot merge {type(other).__name__} into a metric collection; merge another "
                             "collection made with the same nm.load_many(...) call", argument="other")
        if other is self:
            raise InputError("cannot merge a metric collection into itself: every example would count twice; "
                             "merge another worker's collection", argument="other")
        self._check_keys(other, "other")
        for key, metric in self._metrics.items():
            difference = metric.provenance.difference_text(other[key].provenance)
            if type(other[key]) is not type(metric) or difference:
                raise InputError(f"cannot merge: {key!r} differs between the collections ({difference or 'metric'}); "
                                 "make every worker's collection with the same nm.load_many(...) call",
                                 argument="other")
        for key, metric in self._metrics.items():
            metric.check_part(other[key].state_part(), "other")  # every metric takes its part, or none does
        for key, metric in self._metrics.items():
            metric.merge(other[key])
        return self

    def state_parts(self) -> dict[str, StatePart]:
        """Every metric's state as a picklable part (what ``sync`` and the Dask engine send)."""
        return {key: metric.state_part() for key, metric in self._metrics.items()}

    def absorb(self, parts: Mapping[str, StatePart]) -> MetricCollection:
        """Fold in state parts from :meth:`state_parts` of a collection like this one; returns ``self``."""
        self._check_keys(parts, "parts")
        for key, metric in self._metrics.items():
            metric.check_part(parts[key], "parts")  # every part is checked before any metric changes
        for key, metric in self._metrics.items():
            metric.absorb(parts[key])
        return self

    def sync(self) -> MetricCollection:
        """Under ``torch.distributed``: replace every metric's state by all ranks' states (one collective call)."""
        from nlpmetrics.distributed.gather import gather_objects

        gathered = gather_objects(self.state_parts())
        for parts in gathered:
            self._check_keys(parts, "parts")
        states = {key: metric._synced_state([parts[key] for parts in gathered])
                  for key, metric in self._metrics.items()}
        for key, metric in self._metrics.items():  # only once every rank's parts are in: a refusal changes nothing
            metric._state = states[key]
        return self

    def reset(self) -> MetricCollection:
        """Forget every example in every metric; the options stay."""
        for metric in self._metrics.values():
            metric.reset()
        return self

    def copy(self) -> MetricCollection:
        """Return an independent copy with the same metrics, options and state."""
        return MetricCollection({key: metric.copy() for key, metric in self._metrics.items()})

    def empty_like(self) -> MetricCollection:
        """Return a collection of the same metrics and options with no examples."""
        return MetricCollection({key: metric.empty_like() for key, metric in self._metrics.items()})

    # ------------------------------------------------------------------ scoring
    def compute(
        self,
        *,
        confidence: float | None = None,
        n_resamples: int = 1000,
        seed: int = 0,
        sync: bool = False,
    ) -> dict[str, Result]:
        """Score everything seen so far with every metric; the state is left unchanged.

        Parameters
        ----------
        confidence : float, optional
            Level of percentile-bootstrap intervals to add (e.g. ``0.95``).
        n_resamples, seed : int
            Bootstrap resamples and seed (each metric resamples with this seed).
        sync : bool
            Under ``torch.distributed``, score every rank's examples (one
            collective call for all the metrics).

        Returns
        -------
        dict of str to Result
            In the order the metrics were given.
        """
        from nlpmetrics.resampling import check_resampling

        check_resampling(confidence, n_resamples, seed)
        try:
            sync = check_bool(sync)
        except TypeError:
            raise InputError(f"sync={sync!r} must be True or False", argument="sync") from None
        source = self.copy().sync() if sync else self
        return {key: metric.compute(confidence=confidence, n_resamples=n_resamples, seed=seed)
                for key, metric in source._metrics.items()}

    def _check_keys(self, given: Mapping[str, Any], argument: str) -> None:
        if not isinstance(given, Mapping) or set(given) != set(self._metrics):
            names = ", ".join(given) if isinstance(given, Mapping) else type(given).__name__
            raise InputError(f"{argument} holds {names or 'nothing'}, but this collection holds "
                             f"{', '.join(self._metrics)}; use a collection made the same way", argument=argument)


def load_many(
    metrics: str | Metric | Sequence[str | Metric] | Mapping[str, Any],
    *,
    keep_examples: bool = True,
    **options: Any,
) -> MetricCollection:
    """Several configured metrics that take each batch once (see :class:`MetricCollection`).

    Parameters
    ----------
    metrics : sequence of str or Metric, or mapping
        Registry names (``"accuracy"``), names with an average suffix
        (``"f1_macro"`` is ``f1`` with ``average="macro"``, as on the command
        line), or metrics made with :func:`nlpmetrics.load`.  A mapping names
        each entry itself: ``{"bleu_char": nm.load("bleu", tokenize="char")}``
        or ``{"f1_macro": {"zero_division": 1.0}}`` (a name with its own options).
    keep_examples : bool
        Passed to every metric made here (see :func:`nlpmetrics.load`).
    **options
        Options for every named metric that declares them (``lang="ja"`` goes
        to ROUGE and BLEU, ``zero_division`` to precision/recall/F1).  An option
        no named metric declares raises, except ``lang``: the language of the
        texts, which metrics that read no text ignore.  A metric's own options
        and its name's suffix win over these.

    Returns
    -------
    MetricCollection

    Examples
    --------
    >>> import nlpmetrics as nm
    >>> metrics = nm.load_many(["accuracy", "f1_macro"])
    >>> metrics.update(predictions=[0, 1, 2, 2], references=[0, 1, 1, 2])  # doctest: +ELLIPSIS
    <MetricCollection accuracy, f1_macro>
    >>> {name: round(result.value, 4) for name, result in metrics.compute().items()}
    {'accuracy': 0.75, 'f1_macro': 0.7778}
    """
    from nlpmetrics.registry import load, metric_class, resolve_name

    planned: list[tuple[str, Metric | None, str, dict[str, Any]]] = []  # key, given metric, name, own options
    for key, value in _entries(metrics):
        if isinstance(value, Metric):
            planned.append((key, value, value.name, {}))
            continue
        own = dict(value) if isinstance(value, Mapping) else {}
        name, implied = resolve_name(key if isinstance(value, Mapping) or value is None else value)
        clash = [k for k in implied if k in own and own[k] != implied[k]]
        if clash:
            raise InputError(f"{key!r} implies {clash[0]}={implied[clash[0]]!r} but its options say "
                             f"{clash[0]}={own[clash[0]]!r}; drop one of them", argument=clash[0])
        planned.append((key, None, name, {**implied, **own}))
    declared = {key: getattr(metric_class(name), "options", {}) for key, given, name, _ in planned if given is None}
    for option in options:
        if option not in IGNORABLE_OPTIONS and not any(option in d for d in declared.values()):
            valid = "; ".join(f"{key}: {', '.join(sorted(d)) or 'none'}" for key, d in declared.items())
            raise InputError(f"no metric named here has an option {option!r} (options: {valid or 'none'}); "
                             "configured metrics given as objects keep their own options", argument=option)
    made: dict[str, Metric] = {}
    for key, given, name, own in planned:
        if given is not None:
            made[key] = given
            continue
        shared = {k: v for k, v in options.items() if k in declared[key] and k not in own}
        made[key] = load(name, keep_examples=keep_examples, **shared, **own)
    return MetricCollection(made)


def _entries(metrics: Any) -> list[tuple[str, Any]]:
    """``metrics`` as ``(key, value)`` pairs: value is a name, a Metric, or (in a mapping) options or ``None``."""
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        pairs = []
        for key, value in metrics.items():
            if not isinstance(key, str):
                raise InputError(f"metric names must be strings, not {type(key).__name__}", argument="metrics")
            if value is not None and not isinstance(value, (Metric, Mapping, str)):
                raise InputError(f"{key!r} maps to {type(value).__name__}; map a name to options (a dict), a "
                                 "metric from nm.load(...) or a registry name", argument="metrics")
            pairs.append((key, value))
    elif isinstance(metrics, Sequence) and not isinstance(metrics, (str, bytes)):
        pairs = []
        for value in metrics:
            if isinstance(value, Metric):
                pairs.append((value.name, value))
            elif isinstance(value, str):
                pairs.append((value, value))
            else:
                raise InputError(f"metrics holds {type(value).__name__}; give registry names such as 'f1_macro' "
                                 "or metrics from nm.load(...)", argument="metrics")
    else:
        raise InputError(f"metrics must be a list of metric names, not {type(metrics).__name__}", argument="metrics")
    if not pairs:
        raise InputError("metrics is empty; name at least one metric, e.g. nm.load_many(['accuracy'])",
                         argument="metrics")
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise InputError(f"{key!r} is named twice; give each metric its own name with a mapping, e.g. "
                             f"{{'{key}_a': nm.load(...), '{key}_b': nm.load(...)}}", argument="metrics")
        seen.add(key)
    return pairs
