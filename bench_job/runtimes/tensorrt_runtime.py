"""TensorRT (Jetson, NVIDIA GPUs): an engine built from the same ONNX export as ONNX Runtime's, with the
`tensorrt` Python module the L4T image carries. One engine per model variant, its optimisation profile
spanning the smallest to the largest input shapes of the sweep; fp16 through the builder's FP16 flag.
Inputs and outputs live in torch CUDA tensors whose addresses the execution context is given."""

from __future__ import annotations

import time

from bench_job.runtimes.base import Prepared, Runtime, RuntimeFailed
from bench_job.runtimes.onnx_export import export_onnx


def _torch_dtype(trt, dtype):
    import torch

    table = {
        trt.DataType.FLOAT: torch.float32,
        trt.DataType.HALF: torch.float16,
        trt.DataType.INT32: torch.int32,
        trt.DataType.INT64: torch.int64,
        trt.DataType.BOOL: torch.bool,
        trt.DataType.INT8: torch.int8,
    }
    return table[dtype]


def _parse(trt, builder, logger, path: str):
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = trt.OnnxParser(network, logger)
    with open(path, "rb") as handle:
        if not parser.parse(handle.read()):
            errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
            raise RuntimeFailed(f"TensorRT could not parse the ONNX export: {errors[:200]}")
    return network


def _profile(trt, builder, network, example: dict, shape_range):
    """An optimisation profile covering every configuration: min and max over the sweep, opt the example."""
    low, high = shape_range or (None, None)
    profile = builder.create_optimization_profile()
    for index in range(network.num_inputs):
        name = network.get_input(index).name
        opt = tuple(example[name].shape)
        profile.set_shape(name, tuple((low or {}).get(name, opt)), opt, tuple((high or {}).get(name, opt)))
    return profile


class TensorRTRuntime(Runtime):
    name = "tensorrt"
    precisions = ("fp32", "fp16")

    def unavailable(self, accelerator: str) -> str | None:
        try:
            import tensorrt  # noqa: F401
        except ImportError:
            return "TensorRT is not installed in this image"
        if accelerator != "cuda":
            return (
                f"TensorRT runs on an NVIDIA GPU: this run's accelerator is {accelerator} (use run.accelerator: cuda)"
            )
        return None

    def prepare(
        self, model, example_inputs, variant, device, threads, workdir, shape_range=None, calibration=None
    ) -> Prepared:
        import tensorrt as trt
        import torch

        exported = export_onnx(model, example_inputs, workdir)
        logger = trt.Logger(trt.Logger.WARNING)
        builder = trt.Builder(logger)
        network = _parse(trt, builder, logger, exported.path)
        config = builder.create_builder_config()
        if variant.precision == "fp16":
            config.set_flag(trt.BuilderFlag.FP16)
        config.add_optimization_profile(
            _profile(trt, builder, network, example_inputs, None if exported.fixed_shape else shape_range)
        )
        started = time.perf_counter()
        serialized = builder.build_serialized_network(network, config)
        if serialized is None:
            raise RuntimeFailed("TensorRT could not build an engine from the ONNX export (see its log)")
        engine = trt.Runtime(logger).deserialize_cuda_engine(serialized)
        context = engine.create_execution_context()
        session_s = time.perf_counter() - started
        names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
        inputs_of = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        outputs_of = [n for n in names if n not in inputs_of]

        def bind(inputs):
            held = {}
            for name in inputs_of:
                tensor = inputs[name].to(device, _torch_dtype(trt, engine.get_tensor_dtype(name))).contiguous()
                held[name] = tensor
                context.set_input_shape(name, tuple(tensor.shape))
                context.set_tensor_address(name, tensor.data_ptr())
            for name in outputs_of:
                shape = tuple(context.get_tensor_shape(name))
                held[name] = torch.empty(shape, dtype=_torch_dtype(trt, engine.get_tensor_dtype(name)), device=device)
                context.set_tensor_address(name, held[name].data_ptr())
            stream = torch.cuda.current_stream().cuda_stream if device == "cuda" else 0

            def run_once():
                context.execute_async_v3(stream)
                return [held[name] for name in outputs_of]

            return run_once

        return Prepared(
            bind=bind,
            output=lambda raw: raw[0].float().cpu(),
            export_s=exported.export_s,
            session_s=session_s,
            fixed_shape=exported.fixed_shape,
            input_shapes=exported.input_shapes,
            notes=[exported.note] if exported.note else [],
            fields={
                "runtime_providers": f"TensorRT {trt.__version__}" + (" (fp16)" if variant.precision == "fp16" else ""),
                "onnx_exporter": exported.exporter,
            },
        )
