/**
 * Image files by key: the interface, the local-directory store and the factory that opens the
 * configured store (the S3 store is loaded by the factory, only when configured).
 */
export type { ImageStore, StoredImage } from './image.store.ts';
export { ImageNotFoundError, InvalidImageKeyError, StorageUnavailableError, assertValidImageKey, imageKey } from './image.store.ts';
export { LocalImageStore } from './local-image.store.ts';
export { DEFAULT_S3_LIMITS, describeStorage, openImageStore } from './image-store.factory.ts';
export type { OpenImageStoreOptions, OpenedImageStore, S3StoreLimits } from './image-store.factory.ts';
export type { S3AccessCheck } from './s3-image.store.ts';
