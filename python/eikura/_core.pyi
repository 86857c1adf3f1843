# Generated from the compiled extension by tools/check_core_stub.py --update
# (pybind11-stubgen); do not edit by hand.
"""
eikura's C++ core (private; use the eikura package)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['CsrNetwork', 'RandomBlocks', 'Schedule', 'Simulation', 'advance_ensemble', 'delay_history_slots', 'has_openmp', 'max_threads']
class Schedule:
    @staticmethod
    def constant(value: typing.SupportsFloat | typing.SupportsIndex) -> Schedule:
        ...
    @staticmethod
    def piecewise_linear(times: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], values: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> Schedule:
        ...
    @staticmethod
    def sinusoid(mean: typing.SupportsFloat | typing.SupportsIndex, amplitude: typing.SupportsFloat | typing.SupportsIndex, period: typing.SupportsFloat | typing.SupportsIndex, phase: typing.SupportsFloat | typing.SupportsIndex) -> Schedule:
        ...
    def __call__(self, t: typing.SupportsFloat | typing.SupportsIndex) -> float:
        ...
class RandomBlocks:
    """
    Rule of a random network (drawn per row from the seed)
    """
    @staticmethod
    def estimate_procedural_bytes(n_e: typing.SupportsInt | typing.SupportsIndex, n_i: typing.SupportsInt | typing.SupportsIndex, blocks: collections.abc.Sequence[tuple]) -> int:
        ...
    def __init__(self, n_e: typing.SupportsInt | typing.SupportsIndex, n_i: typing.SupportsInt | typing.SupportsIndex, blocks: collections.abc.Sequence[tuple], allow_self: bool, seed: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def sources(self, target: typing.SupportsInt | typing.SupportsIndex) -> numpy.typing.NDArray[numpy.int32]:
        """
        Sorted sources of one row (E sources first), drawn on demand.
        """
    @property
    def n_e(self) -> int:
        ...
    @property
    def n_i(self) -> int:
        ...
    @property
    def seed(self) -> int:
        ...
class CsrNetwork:
    @staticmethod
    def estimate_random_bytes(arg0: typing.SupportsInt | typing.SupportsIndex, arg1: typing.SupportsInt | typing.SupportsIndex, arg2: collections.abc.Sequence[tuple]) -> int:
        ...
    @staticmethod
    def estimate_tiling_bytes(n_e: typing.SupportsInt | typing.SupportsIndex, n_i: typing.SupportsInt | typing.SupportsIndex, edges: typing.SupportsFloat | typing.SupportsIndex, weighted: bool) -> float:
        ...
    @staticmethod
    def from_csr(n_e: typing.SupportsInt | typing.SupportsIndex, n_i: typing.SupportsInt | typing.SupportsIndex, indptr: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], indices: typing.Annotated[numpy.typing.ArrayLike, numpy.int32], weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], tile: bool = True) -> CsrNetwork:
        ...
    @staticmethod
    def random(rule: RandomBlocks, threads: typing.SupportsInt | typing.SupportsIndex) -> CsrNetwork:
        ...
    @property
    def e_end(self) -> numpy.typing.NDArray[numpy.int64]:
        ...
    @property
    def indices(self) -> numpy.typing.NDArray[numpy.int32]:
        """
        Source indices in CSR order (sorted within each row).
        """
    @property
    def indptr(self) -> numpy.typing.NDArray[numpy.int64]:
        ...
    @property
    def memory_bytes(self) -> int:
        ...
    @property
    def n_e(self) -> int:
        ...
    @property
    def n_edges(self) -> int:
        ...
    @property
    def n_i(self) -> int:
        ...
    @property
    def tiled(self) -> bool:
        ...
    @property
    def weighted(self) -> bool:
        ...
    @property
    def weights(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Weights in CSR order (empty when all are 1).
        """
class Simulation:
    @staticmethod
    def estimate_bytes(n: typing.SupportsInt | typing.SupportsIndex, n_steps: typing.SupportsInt | typing.SupportsIndex, record_every: typing.SupportsInt | typing.SupportsIndex, snapshot_every: typing.SupportsInt | typing.SupportsIndex, method: str = 'rk4', history_slots: typing.SupportsInt | typing.SupportsIndex = 0, all_to_all: bool = False, record_mean_frequency: bool = False, record_local_order: bool = False) -> int:
        ...
    def __init__(self, n_e: typing.SupportsInt | typing.SupportsIndex, n_i: typing.SupportsInt | typing.SupportsIndex, omega: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], couplings: collections.abc.Sequence[Schedule], noise_e: typing.SupportsFloat | typing.SupportsIndex, noise_i: typing.SupportsFloat | typing.SupportsIndex, network: typing.Any, normalization: str, method: str, dt: typing.SupportsFloat | typing.SupportsIndex, n_steps: typing.SupportsInt | typing.SupportsIndex, record_every: typing.SupportsInt | typing.SupportsIndex, snapshot_every: typing.SupportsInt | typing.SupportsIndex, frequency_from_step: typing.SupportsInt | typing.SupportsIndex, wrap: bool, seed: typing.SupportsInt | typing.SupportsIndex, threads: typing.SupportsInt | typing.SupportsIndex, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], precision: str = 'float64', rtol: typing.SupportsFloat | typing.SupportsIndex = 1e-06, atol: typing.SupportsFloat | typing.SupportsIndex = 1e-08, phase_lags: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] = [0.0, 0.0, 0.0, 0.0], drives: collections.abc.Sequence[tuple[Schedule, typing.SupportsFloat | typing.SupportsIndex, typing.SupportsFloat | typing.SupportsIndex, typing.Annotated[numpy.typing.ArrayLike, numpy.uint8]]] = [], delays: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] = [0.0, 0.0, 0.0, 0.0], history: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] = ..., record_mean_frequency: bool = False, record_local_order: bool = False) -> None:
        ...
    def advance(self, max_steps: typing.SupportsInt | typing.SupportsIndex) -> int:
        """
        Integrate up to max_steps more steps; returns the steps done.
        """
    def derivative(self, theta: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], t: typing.SupportsFloat | typing.SupportsIndex = 0.0, out: numpy.ndarray[typing.Any, numpy.dtype[typing.Any]] | None = None) -> numpy.ndarray[typing.Any, numpy.dtype[typing.Any]]:
        ...
    def restore(self, step: typing.SupportsInt | typing.SupportsIndex, phases: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], z_records: typing.Annotated[numpy.typing.ArrayLike, numpy.complex128], snapshots: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], displacement: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], frequency_records: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] = ..., local_order_records: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] = ...) -> None:
        ...
    def restore_delay_history(self, oldest: typing.SupportsInt | typing.SupportsIndex, values: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        ...
    @property
    def accepted_steps(self) -> int:
        ...
    @property
    def delay_history(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def delay_history_oldest(self) -> int:
        ...
    @property
    def displacement(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def evaluations(self) -> int:
        ...
    @property
    def finished(self) -> bool:
        ...
    @property
    def frequency_records(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def last_record(self) -> tuple[complex, complex, complex]:
        ...
    @property
    def local_order_records(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def mean_frequencies(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def n_records(self) -> int:
        ...
    @property
    def phases(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def rejected_steps(self) -> int:
        ...
    @property
    def snapshots(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def step(self) -> int:
        ...
    @property
    def step_size(self) -> float:
        ...
    @property
    def time(self) -> float:
        ...
    @property
    def z_records(self) -> numpy.typing.NDArray[numpy.complex128]:
        ...
def advance_ensemble(members: collections.abc.Sequence[Simulation], max_steps: typing.SupportsInt | typing.SupportsIndex, threads: typing.SupportsInt | typing.SupportsIndex) -> None:
    """
    Advance single-threaded simulations in one parallel loop over members.
    """
def delay_history_slots(longest: typing.SupportsFloat | typing.SupportsIndex, dt: typing.SupportsFloat | typing.SupportsIndex) -> int:
    """
    Steps of the past a run with this longest delay and step keeps (0: no delays).
    """
def max_threads() -> int:
    """
    Threads a run uses when threads=None.
    """
has_openmp: bool = True
