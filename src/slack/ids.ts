/** action_id / callback_id / block_id constants: the contract between the blocks we post and the listeners. */
export const ACTION_APPROVE = 'approval.approve';
export const ACTION_DENY = 'approval.deny';
export const ACTION_CANCEL = 'request.cancel';
export const VIEW_APPROVE = 'approval.approve.modal';
export const VIEW_DENY = 'approval.deny.modal';
export const VIEW_INFO = 'info.modal';
export const BLOCK_COMMENT = 'comment';
export const INPUT_COMMENT = 'comment.input';
/** Longest comment an approver may write (shown on the card and in the thread). */
export const COMMENT_MAX = 500;
