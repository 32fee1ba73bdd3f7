/** Every media object lives under this key prefix: the bucket notification and the IAM grants cover it. */
export const MEDIA_PREFIX = "media/";
