package main

import (
	"context"
	"sync"

	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/delivery"
	"onewindow/delivery/deliverydesk"
	"onewindow/internal/lifecycle"
)

// deliveryWiring holds a process's delivery desk. The case desk's hook reaches the delivery
// desk through it, as each of the two desks is built knowing the other.
type deliveryWiring struct {
	mu      sync.Mutex
	desk    *deliverydesk.Desk
	reg     *delivery.Registry
	cat     func() *cases.Catalogue
	watched bool
}

// afterCaseEvent is the case desk's after-event hook (casedesk.WithAfterEvent).
func (w *deliveryWiring) afterCaseEvent(ctx context.Context, caseNo string, e cases.Event) {
	w.mu.Lock()
	dd := w.desk
	w.mu.Unlock()
	if dd != nil {
		dd.AfterEvent(ctx, caseNo, e)
	}
}

// wireDelivery builds the process's delivery desk once, over the case desk cd and the
// departments file (reloaded when it changes, when g is given). serve adds its Routes, work
// registers its handlers (Register); their retries follow delivery.QueuePolicy in the queue's table.
func (d *deps) wireDelivery(g *lifecycle.Group, cd *casedesk.Desk) (*deliverydesk.Desk, error) {
	w := &d.delivery
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.desk != nil {
		return w.desk, nil
	}
	reg, err := delivery.NewRegistry(d.cfg.DepartmentsFile)
	if err != nil {
		return nil, err
	}
	if d.cfg.DepartmentsFile != "" {
		d.checkRoutes(reg, cd.Catalogue())
	}
	opts := deliverydesk.Options{Cases: cd, Registry: reg, Blobs: d.blobs, State: d.state,
		Queue: d.queue, Hall: d.cfg.HallName, Retention: d.retention(),
		Clock: d.hall, Log: d.log.With("component", "delivery")}
	if s, err := d.signer(); err != nil {
		return nil, err
	} else if s != nil {
		opts.Signer = s
	}
	dd, err := deliverydesk.New(opts)
	if err != nil {
		return nil, err
	}
	w.desk, w.reg, w.cat = dd, reg, cd.Catalogue
	if g != nil {
		d.watchDepartmentsLocked(g)
	}
	return dd, nil
}

// watchDepartments rereads the departments file when it changes, once per process: serve
// does it through wireDelivery; a work-only process calls it with its lifecycle group after
// workServer.
func (d *deps) watchDepartments(g *lifecycle.Group) {
	d.delivery.mu.Lock()
	defer d.delivery.mu.Unlock()
	d.watchDepartmentsLocked(g)
}

func (d *deps) watchDepartmentsLocked(g *lifecycle.Group) {
	w := &d.delivery
	if w.watched || w.reg == nil {
		return
	}
	w.watched = true
	reg, cat := w.reg, w.cat
	watchFile(g, d, "departments", d.cfg.DepartmentsFile, func() error {
		if err := reg.Reload(); err != nil {
			return err
		}
		d.checkRoutes(reg, cat())
		return nil
	})
}

// checkRoutes warns of matters that route cases to departments the file does not define:
// their packages go only to the departments it does.
func (d *deps) checkRoutes(reg *delivery.Registry, cat *cases.Catalogue) {
	refs := map[string][]string{}
	for _, m := range cat.Matters {
		refs[m.Code] = m.Departments
	}
	if err := reg.Current().CheckRefs("matter", refs); err != nil {
		d.log.Warn("departments file and matter catalogue disagree", "err", err)
	}
}
