/*
 * Version-row changes: what one step of a plan does to the version table
 * (INSERT a new head, UPDATE one head to the next, DELETE a head).  Kept
 * apart from plan.h so the database layer, which applies them, needs no
 * plan types.
 */
#ifndef RT_VOP_H
#define RT_VOP_H

enum rt_vop_kind { RT_VOP_INSERT, RT_VOP_UPDATE, RT_VOP_DELETE };

struct rt_vop {
	enum rt_vop_kind kind;
	char *from;   /* UPDATE, DELETE */
	char *to;     /* UPDATE, INSERT */
};

#endif
