package foldstream.worker.app;

/**
 * A worker setting is missing or wrong. The message names the setting by its flag and environment
 * variable and says what is expected.
 *
 * <pre>{@code
 * throw new InvalidSettingException(WorkerSetting.THREADS, "'two' is not a whole number");
 * // message: --threads (FOLDSTREAM_THREADS): 'two' is not a whole number
 * }</pre>
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private final WorkerSetting setting;

    public InvalidSettingException(WorkerSetting setting, String problem) {
        super(setting.describe() + ": " + problem);
        this.setting = setting;
    }

    public WorkerSetting setting() {
        return setting;
    }
}
