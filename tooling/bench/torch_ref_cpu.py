#!/usr/bin/env python3
"""torch_ref.py (shared/bench) with its clock swapped for this process's CPU time, so that a
one-thread PyTorch figure can be compared with spikelite's `train_cpu_ms_per_step` on a
loaded, shared machine. Usage: /usr/bin/python3 torch_ref_cpu.py PATH/TO/torch_ref.py [workload...]
Only meaningful with one thread (CPU time sums over threads): it always sets 1.
"""
import importlib.util, sys, time, types

path = sys.argv[1]
sys.argv = [path, '1'] + sys.argv[2:]
spec = importlib.util.spec_from_file_location('torch_ref', path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)  # the __main__ block does not run: we drive it below
mod.time = types.SimpleNamespace(perf_counter=time.process_time)
for name in (sys.argv[2:] or mod.WORKLOADS):
    mod.bench(name)
