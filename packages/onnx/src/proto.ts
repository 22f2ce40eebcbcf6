/**
 * The subset of the ONNX IR (onnx.proto, proto2) that spikelite reads and writes, decoded
 * with protobufjs. Written from the public ONNX IR specification; field numbers are the
 * spec's, so files from any producer decode. Fields we never read are left out: protobufjs
 * skips unknown fields. (Why not the `onnx-proto` package: it pins protobufjs 6.)
 */
import protobuf from 'protobufjs';

const ONNX_PROTO = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; SPARSE_TENSOR = 11;
    TYPE_PROTO = 13; FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
    SPARSE_TENSORS = 12; TYPE_PROTOS = 14;
  }
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
    STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13; COMPLEX64 = 14;
    COMPLEX128 = 15; BFLOAT16 = 16;
  }
  enum DataLocation { DEFAULT = 0; EXTERNAL = 1; }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  optional DataLocation data_location = 14;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}
`;

/** int64 fields decode as `Long` objects (protobufjs depends on `long`); numbers when written by us. */
export type Int64 = number | { toNumber(): number };

export interface TensorProto {
  dims: Int64[];
  data_type?: number;
  float_data: number[];
  int32_data: number[];
  int64_data: Int64[];
  double_data: number[];
  uint64_data: Int64[];
  name?: string;
  raw_data?: Uint8Array;
  external_data: Array<{ key?: string; value?: string }>;
  data_location?: number;
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: unknown;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: unknown[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute: AttributeProto[];
}

export interface ValueInfoProto {
  name?: string;
  type?: {
    tensor_type?: {
      elem_type?: number;
      shape?: { dim: Array<{ dim_value?: Int64; dim_param?: string }> };
    };
  };
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
}

export interface ModelProto {
  ir_version?: Int64;
  opset_import: Array<{ domain?: string; version?: Int64 }>;
  producer_name?: string;
  producer_version?: string;
  graph?: GraphProto;
}

export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

let root: protobuf.Root | undefined;

function modelType(): protobuf.Type {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  return root.lookupType('onnx.ModelProto');
}

export const int64 = (v: Int64 | undefined | null): number => (v === undefined || v === null ? 0 : typeof v === 'number' ? v : v.toNumber());

/**
 * Decode a ModelProto. Throws protobufjs's own error on malformed bytes; the caller names
 * the file. Repeated fields are always arrays (protobufjs fills empty ones on decode).
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return modelType().decode(bytes) as unknown as ModelProto;
}

/** Decode a TensorProto (ONNX's backend-test data files, `input_0.pb`). */
export function decodeTensorProto(bytes: Uint8Array): TensorProto {
  modelType();
  return root!.lookupType('onnx.TensorProto').decode(bytes) as unknown as TensorProto;
}

/** Plain-object form of a model for {@link encodeModel} (int64 as numbers, bytes as Uint8Array). */
export interface ModelInit {
  ir_version: number;
  opset_import: Array<{ domain: string; version: number }>;
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  metadata_props?: Array<{ key: string; value: string }>;
  graph: {
    name: string;
    node: Array<{ input: string[]; output: string[]; name?: string; op_type: string; domain?: string; attribute?: unknown[] }>;
    initializer?: unknown[];
    input: unknown[];
    output: unknown[];
    doc_string?: string;
  };
}

/** Encode a ModelProto (used for the SNN export and for building test graphs). */
export function encodeModel(model: ModelInit): Uint8Array {
  const type = modelType();
  const problem = type.verify(model);
  if (problem !== null) throw new Error(`encodeModel: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

/** Re-encode a model returned by {@link decodeModel} (possibly edited). */
export function encodeDecodedModel(model: ModelProto): Uint8Array {
  return modelType().encode(model as unknown as protobuf.Message).finish();
}
