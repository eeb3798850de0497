/** Image files by key: the interface and the local-directory implementation. */
export type { ImageStore, StoredImage } from './image.store.ts';
export { ImageNotFoundError, InvalidImageKeyError, StorageUnavailableError, assertValidImageKey, imageKey } from './image.store.ts';
export { LocalImageStore } from './local-image.store.ts';
