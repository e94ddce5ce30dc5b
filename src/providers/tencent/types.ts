/**
 * Raw wire types of MPS DescribeImageTaskDetail (API 2019-06-12), as the
 * provider may send them: every field optional and nullable, because the SDK
 * models make them optional and the docs mark many "may be null". These are
 * claims about the wire, not guarantees: src/parsing checks each value before
 * trusting it. Large echo objects whose schema grows over time are `unknown`.
 * https://www.tencentcloud.com/document/api/1041/70401
 */

export interface RawTencentApiError {
  readonly Code?: string | null;
  readonly Message?: string | null;
}

export interface RawCosOutputStorage {
  readonly Bucket?: string | null;
  readonly Region?: string | null;
}

export interface RawS3OutputStorage {
  readonly S3Bucket?: string | null;
  readonly S3Region?: string | null;
  /** The customer's AWS key; never expose. */
  readonly S3SecretId?: string | null;
  /** The customer's AWS key; never expose. */
  readonly S3SecretKey?: string | null;
}

export interface RawVodOutputStorage {
  readonly Bucket?: string | null;
  readonly Region?: string | null;
  readonly SubAppId?: number | null;
  readonly VodBasic?: number | null;
}

export interface RawTaskOutputStorage {
  /** `COS`, `AWS-S3` or `VOD`. */
  readonly Type?: string | null;
  readonly CosOutputStorage?: RawCosOutputStorage | null;
  readonly S3OutputStorage?: RawS3OutputStorage | null;
  readonly VODOutputStorage?: RawVodOutputStorage | null;
}

export interface RawImageProcessTaskOutput {
  readonly Path?: string | null;
  readonly OutputStorage?: RawTaskOutputStorage | null;
  readonly SignedUrl?: string | null;
  readonly Content?: string | null;
  readonly FileId?: string | null;
}

export interface RawImageProcessTaskResult {
  /** `PROCESSING`, `SUCCESS`, `FAIL` (not the top-level enum). */
  readonly Status?: string | null;
  /** Empty string means success. */
  readonly ErrMsg?: string | null;
  readonly Message?: string | null;
  readonly Output?: RawImageProcessTaskOutput | null;
  readonly Progress?: number | null;
}

/** The content of `Response` on success. */
export interface RawImageTaskDetail {
  readonly TaskType?: string | null;
  /** `WAITING`, `PROCESSING`, `FINISH`; FINISH means done, not succeeded. */
  readonly Status?: string | null;
  readonly ErrCode?: number | null;
  /** Empty string means success; otherwise an MPS task error code. */
  readonly ErrMsg?: string | null;
  readonly Message?: string | null;
  readonly ImageProcessTaskResultSet?: readonly RawImageProcessTaskResult[] | null;
  readonly CreateTime?: string | null;
  readonly FinishTime?: string | null;
  readonly Definition?: number | null;
  /** ImageTaskInput: the launch configuration echoed back; its set of sub-configs grows, so opaque. */
  readonly ImageTask?: unknown;
  /** MediaInputInfo; unused branches arrive as null or `{}`, and S3 branches may carry secrets. */
  readonly InputInfo?: unknown;
  readonly RequestId?: string | null;
}

/** The whole reply: success fields and `Error` share the `Response` envelope. */
export interface RawDescribeImageTaskDetailEnvelope {
  readonly Response?: (RawImageTaskDetail & { readonly Error?: RawTencentApiError | null }) | null;
}
