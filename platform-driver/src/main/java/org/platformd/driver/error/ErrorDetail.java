// Structured context a PlatformError carries beyond its message, for clients that act on it.
package org.platformd.driver.error;

/**
 * Structured context a {@link PlatformError} carries beyond its message, for clients that act on it (the
 * protocol layer attaches it to the status as the contract's error detail message).
 */
public sealed interface ErrorDetail {

    /**
     * A batch of register or port accesses failed at op {@code failedOpIndex}; {@code appliedOpCount} ops before
     * it reached the device (0 when validation refused the batch before any did).
     */
    record BatchFailed(int failedOpIndex, int appliedOpCount) implements ErrorDetail {}

    /** A DMA allocation would exceed the policy's dma_quota; bytes as the quota counts them. */
    record DmaQuotaExceeded(long requestedBytes, long usedBytes, long quotaBytes) implements ErrorDetail {}
}
