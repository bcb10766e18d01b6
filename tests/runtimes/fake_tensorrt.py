"""A fake `tensorrt` module with the TensorRT 8.6 / 10 Python API the runtime uses (builder, ONNX parser,
optimisation profile, engine, execution context with tensor addresses). Its "engine" runs the ONNX bytes it
parsed with ONNX Runtime, reading its inputs from and writing its outputs to the addresses it was given, as
the GPU would: so the test checks the binding of real buffers, not a mock's bookkeeping."""

from __future__ import annotations

import ctypes
import importlib.machinery
import types

import numpy as np

_NUMPY = {
    "FLOAT": np.float32,
    "HALF": np.float16,
    "INT32": np.int32,
    "INT64": np.int64,
    "BOOL": np.bool_,
    "INT8": np.int8,
}


def make_fake_tensorrt(log: list) -> types.ModuleType:
    import onnxruntime

    trt = types.ModuleType("tensorrt")
    trt.__spec__ = importlib.machinery.ModuleSpec("tensorrt", None)  # torch's import checks look for one
    trt.__version__ = "10.3.0-fake"
    trt.DataType = types.SimpleNamespace(**{name: name for name in _NUMPY})
    trt.TensorIOMode = types.SimpleNamespace(INPUT="INPUT", OUTPUT="OUTPUT")
    trt.NetworkDefinitionCreationFlag = types.SimpleNamespace(EXPLICIT_BATCH=0)
    trt.BuilderFlag = types.SimpleNamespace(FP16="FP16")

    class Logger:
        WARNING = 2

        def __init__(self, level):
            pass

    class Network:
        def __init__(self):
            self.onnx = None
            self.inputs = []

        @property
        def num_inputs(self):
            return len(self.inputs)

        def get_input(self, index):
            return types.SimpleNamespace(name=self.inputs[index])

    class OnnxParser:
        def __init__(self, network, logger):
            self.network = network
            self.num_errors = 0

        def parse(self, data):
            self.network.onnx = data
            session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
            self.network.inputs = [i.name for i in session.get_inputs()]
            return True

    class Profile:
        def set_shape(self, name, low, opt, high):
            log.append(("profile", name, low, opt, high))

    class Config:
        def set_flag(self, flag):
            log.append(("flag", flag))

        def add_optimization_profile(self, profile):
            pass

    class Builder:
        def __init__(self, logger):
            pass

        def create_network(self, flags):
            return Network()

        def create_builder_config(self):
            return Config()

        def create_optimization_profile(self):
            return Profile()

        def build_serialized_network(self, network, config):
            return network.onnx

    def element_type(onnx_type: str):
        return {"tensor(float)": "FLOAT", "tensor(int64)": "INT64", "tensor(float16)": "HALF"}[onnx_type]

    class Context:
        def __init__(self, engine):
            self.engine, self.shapes, self.addresses = engine, {}, {}

        def set_input_shape(self, name, shape):
            self.shapes[name] = tuple(shape)

        def set_tensor_address(self, name, address):
            self.addresses[name] = address

        def _array(self, name, shape):
            dtype = np.dtype(_NUMPY[self.engine.get_tensor_dtype(name)])
            count = int(np.prod(shape))
            buffer = (ctypes.c_byte * (count * dtype.itemsize)).from_address(self.addresses[name])
            return np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)

        def _run(self):
            feed = {name: self._array(name, self.shapes[name]).copy() for name in self.engine.input_names}
            return dict(zip(self.engine.output_names, self.engine.session.run(None, feed)))

        def get_tensor_shape(self, name):
            return self._run()[name].shape

        def execute_async_v3(self, stream):
            for name, value in self._run().items():
                self._array(name, value.shape)[...] = value
            return True

    class Engine:
        def __init__(self, data):
            self.session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
            self.input_names = [i.name for i in self.session.get_inputs()]
            self.output_names = [o.name for o in self.session.get_outputs()]
            self.types = {
                i.name: element_type(i.type) for i in [*self.session.get_inputs(), *self.session.get_outputs()]
            }

        @property
        def num_io_tensors(self):
            return len(self.types)

        def get_tensor_name(self, index):
            return (self.input_names + self.output_names)[index]

        def get_tensor_mode(self, name):
            return "INPUT" if name in self.input_names else "OUTPUT"

        def get_tensor_dtype(self, name):
            return self.types[name]

        def create_execution_context(self):
            return Context(self)

    class Runtime:
        def __init__(self, logger):
            pass

        def deserialize_cuda_engine(self, data):
            return Engine(data)

    trt.Logger, trt.Builder, trt.OnnxParser, trt.Runtime = Logger, Builder, OnnxParser, Runtime
    return trt
