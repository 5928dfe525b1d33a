/** action_id / callback_id / block_id constants: the contract between the blocks we post and the listeners. */
export const ACTION_APPROVE = 'approval.approve';
export const ACTION_DENY = 'approval.deny';
export const ACTION_CANCEL = 'request.cancel';
/** On a finished summary: take back what the request added, as a request of its own. */
export const ACTION_UNDO = 'request.undo';
export const VIEW_APPROVE = 'approval.approve.modal';
export const VIEW_DENY = 'approval.deny.modal';
export const VIEW_INFO = 'info.modal';
export const BLOCK_COMMENT = 'comment';
export const INPUT_COMMENT = 'comment.input';
/** Longest comment an approver may write (shown on the card and in the thread). */
export const COMMENT_MAX = 500;

/** The request form (modal): opened by `/backup associate` with no arguments or the global shortcut. */
export const SHORTCUT_REQUEST = 'request_backup';
export const VIEW_FORM = 'request.form';
export const FORM_PROJECT = 'form.project';
export const FORM_CHANNEL = 'form.channel';
export const FORM_POLICY = 'form.policy';
export const FORM_SERVER = 'form.server';
export const FORM_VOLUMES = 'form.volumes';
export const FORM_REASON = 'form.reason';
/** The form's checkboxes: back up now (`--now`), and on CBR projects move volumes from other vaults (`--move`). */
export const FORM_OPTIONS = 'form.options';
/** The App Home's "Request backup" button. */
export const ACTION_HOME_REQUEST = 'home.request';
