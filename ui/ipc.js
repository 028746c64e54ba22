// The only module that talks to the Rust side. One wrapper per command, named
// after it in camelCase. Errors arrive as {code, message}.

const invoke = (command, args) => window.__TAURI__.core.invoke(command, args);

export const listAccounts = () => invoke('list_accounts');
export const startView = () => invoke('start_view');
export const getCodes = () => invoke('get_codes');
export const generateHotp = (id) => invoke('generate_hotp', { id });
export const copyCode = (id, { generate = false } = {}) => invoke('copy_code', { id, generate });
export const previewAccount = (entry) => invoke('preview_account', { entry });
export const addAccount = (entry) => invoke('add_account', { entry });
export const removeAccount = (id) => invoke('remove_account', { id });
export const setPinned = (id, pinned) => invoke('set_pinned', { id, pinned });
export const reorderAccounts = (ids) => invoke('reorder_accounts', { ids });
export const accountQr = (id) => invoke('account_qr', { id });
export const revealKey = (id) => invoke('reveal_key', { id });
export const getSettings = () => invoke('get_settings');
export const setSettings = (settings) => invoke('set_settings', { settings });
export const renameAccount = (id, issuer, name) => invoke('rename_account', { id, issuer, name });
export const revealNote = (id) => invoke('reveal_note', { id });
export const setNote = (id, before, text) => invoke('set_note', { id, before, text });
export const changeGroups = (id, add, remove) => invoke('change_groups', { id, add, remove });
export const pasteClipboard = () => invoke('paste_clipboard');
export const scanScreen = () => invoke('scan_screen');
export const openImages = () => invoke('open_images');
export const importFiles = () => invoke('import_files');
export const unlockBackup = (password, attempt) => invoke('unlock_backup', { password, attempt });
export const cancelPreviewWork = (attempt) => invoke('cancel_preview_work', { attempt });
export const backupStatus = () => invoke('backup_status');
export const saveBackup = (kind, password, paper = null) => invoke('save_backup', { kind, password, paper });
export const googleExport = () => invoke('google_export');
export const autoBackupStatus = () => invoke('auto_backup_status');
export const pickBackupFolder = () => invoke('pick_backup_folder');
export const passwordStrength = (password) => invoke('password_strength', { password });
export const setupAutoBackup = (folder, password, keep) => invoke('setup_auto_backup', { folder, password, keep });
export const autoBackupNow = () => invoke('auto_backup_now');
export const autoBackupOff = () => invoke('auto_backup_off');
export const lockStatus = () => invoke('lock_status');
export const lockedNames = () => invoke('locked_names');
export const openStartArgs = () => invoke('open_start_args');
export const hidePalette = () => invoke('hide_palette');
export const showMainWindow = () => invoke('show_main_window');
export const unlock = (password) => invoke('unlock', { password });
export const lockNow = () => invoke('lock_now');
export const noteUse = () => invoke('note_use');
/** The page shows the lock screen (the shell covers a page that does not). */
export const lockShown = () => invoke('lock_shown');
export const turnLockOn = (password) => invoke('turn_lock_on', { password });
export const turnLockOff = (password) => invoke('turn_lock_off', { password });
export const changeLockPassword = (old, password) => invoke('change_lock_password', { old, new: password });
export const restoreNewest = () => invoke('restore_newest');
export const restoreMissing = () => invoke('restore_missing');
export const missingAccounts = () => invoke('missing_accounts');
export const forgetMissing = (foundBy) => invoke('forget_missing', { foundBy });
export const restorePick = () => invoke('restore_pick');
export const pendingEnrolment = () => invoke('pending_enrolment');
export const confirmEnrolment = (choices, attempt, preview, seen) => invoke('confirm_enrolment', { choices, attempt, preview, seen });
export const discardEnrolment = (preview, seen) => invoke('discard_enrolment', { preview, seen });
export const answerCloseToTray = (keep) => invoke('answer_close_to_tray', { keep });
export const closeQuestionCancelled = () => invoke('close_question_cancelled');

/** Subscribes to an app event; resolves to a function that unsubscribes. */
export const listen = (event, handler) => window.__TAURI__.event.listen(event, handler);

/** A human message for any rejected call. */
export function messageOf(error) {
  if (error && typeof error === 'object' && 'message' in error) return error.message;
  return String(error);
}
